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
