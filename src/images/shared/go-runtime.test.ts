import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, goJSONMap, goLogPrefix, parseGoDuration } from './go-runtime.js';
import { FlagError, parseFlags } from './flags.js';

test('Go durations parse and print like time.ParseDuration / Duration.String', () => {
  assert.equal(parseGoDuration('1.5s'), 1.5e9);
  assert.equal(parseGoDuration('1m30s'), 90e9);
  assert.equal(parseGoDuration('300ms'), 300e6);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('5'), null);
  assert.equal(parseGoDuration('abc'), null);
  assert.equal(formatGoDuration(0), '0s');
  assert.equal(formatGoDuration(41_302), '41.302µs');
  assert.equal(formatGoDuration(1_500_000), '1.5ms');
  assert.equal(formatGoDuration(90e9), '1m30s');
  assert.equal(formatGoDuration(3723.5e9), '1h2m3.5s');
  assert.equal(formatGoDuration(5e9), '5s');
});

test('json.Marshal of a map sorts keys and escapes HTML characters', () => {
  assert.equal(goJSONMap({ output: 'a<b>&', error: 'exit status 1' }), '{"error":"exit status 1","output":"a\\u003cb\\u003e\\u0026"}');
});

test('log prefix', () => {
  assert.equal(goLogPrefix(Date.UTC(2026, 0, 2, 3, 4, 5)), '2026/01/02 03:04:05 ');
});

test('flags: Go and pflag syntaxes', () => {
  const specs = { port: { kind: 'int' as const, default: 9376 }, udp: { kind: 'bool' as const, default: false }, text: { kind: 'string' as const, default: '' } };
  assert.deepEqual(parseFlags(['--port=80', '--udp', '-text', 'hi there'], specs, 'pflag').values, { port: 80, udp: true, text: 'hi there' });
  assert.deepEqual(parseFlags(['-text=a=b', 'rest', '-udp'], specs, 'go'), { values: { port: 9376, udp: false, text: 'a=b' }, args: ['rest', '-udp'] });
  assert.deepEqual(parseFlags(['--udp=false'], specs, 'pflag').values.udp, false);
  assert.throws(() => parseFlags(['-nope'], specs, 'go'), new FlagError('flag provided but not defined: -nope'));
  assert.throws(() => parseFlags(['--nope'], specs, 'pflag'), new FlagError('unknown flag: --nope'));
});
