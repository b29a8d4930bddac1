import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment } from '@marcbachmann/cel-js';
import { registerKubernetesLibraries } from './cel-libraries.js';

const env = registerKubernetesLibraries(new Environment({ enableOptionalTypes: true, unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false }));
const run = (expr: string) => env.evaluate(expr, {});

test('lists: isSorted, sum, min, max, indexOf, lastIndexOf', () => {
  assert.deepEqual(['[1, 2, 2].isSorted()', '[2, 1].isSorted()', '[1, 2, 3].sum()', '[3, 1, 2].min()', '["b", "a"].max()', '[1, 2, 1].indexOf(1)', '[1, 2, 1].lastIndexOf(1)'].map(run), [true, false, 6n, 1n, 'b', 0n, 2n]);
  assert.throws(() => run('[].max()'), /must not be empty/);
});

test('strings and regex: charAt, upperAscii, replace, substring, trim, find, findAll', () => {
  assert.deepEqual(
    ['"abc".charAt(1)', '"aBc".upperAscii()', '"a-b-c".replace("-", "+", 1)', '"hello".substring(1, 3)', '" x ".trim()', '"abc123def456".find("[0-9]+")', '"abc123def456".findAll("[0-9]+")', '"a1b2c3".findAll("[0-9]", 2)'].map(run),
    ['b', 'ABC', 'a+b-c', 'el', 'x', '123', ['123', '456'], ['1', '2']],
  );
});

test('URLs and quantities', () => {
  assert.deepEqual(
    ['url("https://example.com:8443/a%20b?x=1").getHost()', 'url("https://example.com:8443/p").getPort()', 'url("/p?x=1&x=2").getQuery()', 'isURL("not a url")', 'url("https://[::1]:80/").getHostname()'].map(run),
    ['example.com:8443', '8443', { x: ['1', '2'] }, false, '::1'],
  );
  assert.deepEqual(
    ['quantity("500m").isLessThan(quantity("1"))', 'quantity("1Gi").compareTo(quantity("1024Mi"))', 'quantity("2").add(quantity("500m")).asApproximateFloat()', 'quantity("1.5").isInteger()', 'isQuantity("1Xi")', 'quantity("1k") == quantity("1000")'].map(run),
    [true, 0n, 2.5, false, false, true],
  );
});

test('IPs and CIDRs as the ip and cidr libraries parse them (no leading zeros, no zones)', () => {
  assert.deepEqual(
    ['isIP("10.0.0.1")', 'isIP("010.0.0.1")', 'isIP("fe80::1%eth0")', 'ip("::1").isLoopback()', 'ip("10.1.2.3").family()', 'string(ip("2001:db8:0:0:0:0:0:1"))', 'ip("8.8.8.8").isGlobalUnicast()'].map(run),
    [true, false, false, true, 4n, '2001:db8::1', true],
  );
  assert.deepEqual(
    ['cidr("10.0.0.0/8").containsIP("10.2.3.4")', 'cidr("10.0.0.0/8").containsIP(ip("11.2.3.4"))', 'string(cidr("10.1.2.3/8").masked())', 'cidr("fd00::/8").containsCIDR("fd00:1::/32")', 'isCIDR("10.0.0.0/33")', 'cidr("10.0.0.0/8").prefixLength()'].map(run),
    [true, false, '10.0.0.0/8', true, false, 8n],
  );
});
