import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidQuantity, milliValue, parseQuantity } from './quantity.js';

test('parseQuantity handles decimal, binary and exponent forms', () => {
  const cases: [string | number, number][] = [
    ['50m', 0.05],
    ['1', 1],
    ['0.5', 0.5],
    ['32Mi', 32 * 1024 * 1024],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1e3', 1000],
    ['2E2', 200],
    ['128974848', 128974848],
    ['129M', 129e6],
    ['1k', 1000],
    ['100n', 100e-9],
    ['-1', -1],
    [2, 2],
  ];
  for (const [input, want] of cases) assert.ok(Math.abs(parseQuantity(input) - want) < 1e-12 * Math.max(1, want), `${input}`);
});

test('isValidQuantity rejects malformed quantities', () => {
  for (const bad of ['', 'abc', '1Kb', '1 Gi', 'Mi', '1.2.3', ' 1']) assert.equal(isValidQuantity(bad), false, bad);
  for (const good of ['1', '100m', '1Gi', '.5', '1e3', '+1']) assert.equal(isValidQuantity(good), true, good);
  assert.throws(() => parseQuantity('1Kb'));
});

test('milliValue is Quantity.MilliValue: thousandths rounded up, whole values exact', () => {
  const cases: [string, number][] = [
    ['300m', 300],
    ['0.3', 300],
    ['1', 1000],
    ['1234567n', 2],
    ['1Gi', 1073741824000],
    ['4Mi', 4194304000],
    ['1.5', 1500],
  ];
  for (const [q, want] of cases) assert.equal(milliValue(q), want, q);
});
