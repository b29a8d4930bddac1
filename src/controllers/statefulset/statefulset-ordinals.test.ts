import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ordinalsDue } from './statefulset-ordinals.js';

test('ordinalsDue: the present ordinals and the lowest missing ones, in order', () => {
  assert.deepEqual(ordinalsDue([1, 4], 0, 5, 10), { ordinals: [0, 1, 2, 3, 4, 5], missingLeft: 0 });
  assert.deepEqual(ordinalsDue([1, 4], 0, 5, 2), { ordinals: [0, 1, 2, 4], missingLeft: 2 });
  assert.deepEqual(ordinalsDue([], 0, 2, 1), { ordinals: [0], missingLeft: 2 });
  assert.deepEqual(ordinalsDue([0, 1, 2], 0, 2, 1), { ordinals: [0, 1, 2], missingLeft: 0 });
});

test('ordinalsDue honours a start ordinal and an empty range', () => {
  assert.deepEqual(ordinalsDue([5], 3, 6, 1), { ordinals: [3, 5], missingLeft: 2 });
  assert.deepEqual(ordinalsDue([], 0, -1, 500), { ordinals: [], missingLeft: 0 });
});

test('ordinalsDue for 2^31-1 replicas costs the pods that exist plus the burst', () => {
  const present = Array.from({ length: 1000 }, (_, i) => i);
  const due = ordinalsDue(present, 0, 2 ** 31 - 2, 500);
  assert.equal(due.ordinals.length, 1500);
  assert.equal(due.ordinals[1499], 1499);
  assert.equal(due.missingLeft, 2 ** 31 - 1 - 1500);
});
