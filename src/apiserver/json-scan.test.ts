import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../api/errors.js';
import { checkYamlDepth, maxJsonDepth, maxYamlDepth, scanJson } from './json-scan.js';

const nested = (depth: number, open = '{"a":', close = '}') => `${open.repeat(depth)}1${close.repeat(depth)}`;

test('nesting up to the decoder limit passes; one level more is a 400 with Go scanner text', () => {
  assert.deepEqual(scanJson(nested(maxJsonDepth)), []);
  assert.throws(
    () => scanJson(nested(maxJsonDepth + 1)),
    (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === "couldn't get version/kind; json parse error: invalid character '{' exceeded max depth",
  );
  assert.throws(() => scanJson(nested(maxJsonDepth + 1, '[', ']')), /invalid character '\[' exceeded max depth/);
  // A million levels cost one pass and no stack.
  assert.throws(() => scanJson(nested(1_000_000)), /exceeded max depth/);
});

test('duplicate keys are reported with the strict decoder path, at any level, keys in strings ignored', () => {
  assert.deepEqual(scanJson('{"a":1,"a":2}'), ['a']);
  assert.deepEqual(scanJson('{"metadata":{"name":"x","labels":{"k":"1","k":"2"},"name":"y"}}'), ['metadata.labels.k', 'metadata.name']);
  assert.deepEqual(scanJson('{"spec":{"containers":[{"name":"a"},{"name":"b","name":"c"}]}}'), ['spec.containers[1].name']);
  assert.deepEqual(scanJson('{"a":"{\\"a\\":1,\\"a\\":2}","b":["a","a"],"c":{"\\u0061":1,"a":2}}'), ['c.a']);
  assert.deepEqual(scanJson('{"a":{"x":1},"b":{"x":1}}'), []);
});

test('YAML nesting beyond the guard is a 400 before the parser recurses; real manifests pass', async () => {
  const manifests = await import('../e2e/tutorial-manifests.js');
  for (const m of Object.values(manifests)) if (typeof m === 'string') checkYamlDepth(m);
  checkYamlDepth('a:\n  script: |\n' + Array.from({ length: 2000 }, (_, i) => `${' '.repeat(4 + i)}x`).join('\n') + '\nb: 1\n');
  const flow = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  checkYamlDepth(flow(maxYamlDepth - 1));
  assert.throws(
    () => checkYamlDepth(flow(9000)),
    (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === `error converting YAML to JSON: yaml: exceeded max depth of ${maxYamlDepth}`,
  );
  const block = Array.from({ length: maxYamlDepth + 1 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + '\n';
  assert.throws(() => checkYamlDepth(block), /exceeded max depth/);
  assert.throws(() => checkYamlDepth(Array.from({ length: maxYamlDepth + 1 }, () => '-').join(' ') + ' x\n'), /exceeded max depth/);
  checkYamlDepth('k: "{{{{[[[[" # {{{{\nl: \'[[[[\'\n');
});
