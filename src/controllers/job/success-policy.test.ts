import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchSuccessPolicy } from './success-policy.js';

test('success policy rules: all listed indexes, a count of them, or a count overall', () => {
  const leader = { rules: [{ succeededIndexes: '0' }] };
  assert.equal(matchSuccessPolicy(leader, 5, new Set([1, 2])), undefined);
  assert.equal(matchSuccessPolicy(leader, 5, new Set([0])), 'Matched rules at index 0');
  const some = { rules: [{ succeededIndexes: '0-3' }, { succeededIndexes: '2-4', succeededCount: 2 }] };
  assert.equal(matchSuccessPolicy(some, 5, new Set([3, 4])), 'Matched rules at index 1');
  assert.equal(matchSuccessPolicy(some, 5, new Set([0, 1, 2, 3])), 'Matched rules at index 0');
  assert.equal(matchSuccessPolicy({ rules: [{ succeededCount: 3 }] }, 5, new Set([0, 4])), undefined);
  assert.equal(matchSuccessPolicy({ rules: [{ succeededCount: 3 }] }, 5, new Set([0, 3, 4])), 'Matched rules at index 0');
  assert.equal(matchSuccessPolicy(undefined, 5, new Set([0])), undefined);
});

test('a rule naming 2^31-1 indexes is counted by its intervals, not expanded', () => {
  const all = { rules: [{ succeededIndexes: '0-2147483645', succeededCount: 2 }] };
  assert.equal(matchSuccessPolicy(all, 2 ** 31 - 1, new Set([5])), undefined);
  assert.equal(matchSuccessPolicy(all, 2 ** 31 - 1, new Set([5, 2147483645])), 'Matched rules at index 0');
  const whole = { rules: [{ succeededIndexes: '1,3-2147483645' }] };
  assert.equal(matchSuccessPolicy(whole, 2 ** 31 - 1, new Set([1, 3, 4])), undefined);
  const gaps = { rules: [{ succeededIndexes: '1,3,5-6,9' }] };
  assert.equal(matchSuccessPolicy(gaps, 10, new Set([1, 3, 5, 6, 9, 2])), 'Matched rules at index 0');
  assert.equal(matchSuccessPolicy(gaps, 10, new Set([1, 3, 5, 9])), undefined);
});
