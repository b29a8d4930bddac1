import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstPendingIndexes } from './indexed-job.js';

test('firstPendingIndexes: the lowest indexes not taken, at most count', () => {
  assert.deepEqual(firstPendingIndexes(new Set([0, 2]), 3, 10), [1, 3, 4]);
  assert.deepEqual(firstPendingIndexes(new Set([0, 1]), 5, 3), [2]);
  assert.deepEqual(firstPendingIndexes(new Set(), 0, 3), []);
});

test('firstPendingIndexes over 2^31-1 completions stops after count indexes', () => {
  const taken = new Set(Array.from({ length: 1000 }, (_, i) => i * 2));
  const out = firstPendingIndexes(taken, 500, 2 ** 31 - 1);
  assert.equal(out.length, 500);
  assert.deepEqual(out.slice(0, 3), [1, 3, 5]);
  assert.equal(out[499], 999);
});
