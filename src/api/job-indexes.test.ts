import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIndexes, parseIndexes, validateIndexesFormat } from './job-indexes.js';

test('completed indexes round-trip through the interval format', () => {
  assert.equal(formatIndexes([4, 0, 1, 2, 7, 8]), '0-2,4,7-8');
  assert.equal(formatIndexes([]), '');
  assert.deepEqual([...parseIndexes('0-2,4,7-8', 10)].sort((a, b) => a - b), [0, 1, 2, 4, 7, 8]);
  // Out-of-range fragments (after a scale-down) are dropped.
  assert.deepEqual([...parseIndexes('1,5-6', 5)], [1]);
});

test('validateIndexesFormat counts indexes and reports upstream messages', () => {
  assert.equal(validateIndexesFormat('0-2,4', 5), 4);
  assert.throws(() => validateIndexesFormat('3,1', 5), /non-increasing order, previous: 3, current: 1/);
  assert.throws(() => validateIndexesFormat('1-2-3', 5), /at most two parts separated by '-'/);
  assert.throws(() => validateIndexesFormat('7', 5), /too large index: "7"/);
  assert.throws(() => validateIndexesFormat('a', 5), /cannot convert string to integer for index: "a"/);
});
