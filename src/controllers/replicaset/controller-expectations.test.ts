import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerExpectations, expectationsTimeoutMs } from './controller-expectations.js';
import { slowStartBatch } from './slow-start.js';
import { calculateReplicaSetStatus } from './replicaset-status.js';
import type { ReplicaSet } from '../../api/types.js';

test('expectations: unsatisfied until every creation is observed, or until they expire', () => {
  let now = 0;
  const e = new ControllerExpectations(() => now);
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectCreations('ns/rs', 2);
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectCreations('ns/rs', 1);
  now += expectationsTimeoutMs + 1;
  assert.equal(e.satisfied('ns/rs'), true);
});

test('expectations: a deletion observed twice (terminating, then gone) counts once', () => {
  const e = new ControllerExpectations(() => 0);
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  assert.equal(e.satisfied('ns/rs'), false);
  e.deletionObserved('ns/rs', 'ns/b');
  assert.equal(e.satisfied('ns/rs'), true);
});

test('slowStartBatch runs 1, 2, 4, … and stops after the first failing batch', async () => {
  let calls = 0;
  const ok = await slowStartBatch(10, 1, async () => {
    calls++;
  });
  assert.deepEqual(ok, { successes: 10 });
  assert.equal(calls, 10);
  calls = 0;
  const failing = await slowStartBatch(10, 1, async () => {
    calls++;
    if (calls >= 3) throw new Error('quota');
  });
  // Batches 1 and 2 ran (3 calls); the second batch had a failure, so nothing more was tried.
  assert.equal(calls, 3);
  assert.equal(failing.successes, 2);
  assert.match(String(failing.error), /quota/);
});

test('ReplicaFailure condition: set with FailedCreate on a failed create, removed after a good sync', () => {
  const rs: ReplicaSet = { metadata: { name: 'r', generation: 1 }, spec: { replicas: 2, selector: {}, template: { spec: { containers: [] } } } };
  const now = new Date('2024-01-01T00:00:00Z');
  const failed = calculateReplicaSetStatus(rs, [], new Error('pods "r-" is forbidden: exceeded quota'), now);
  assert.deepEqual(failed.conditions, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'FailedCreate', message: 'pods "r-" is forbidden: exceeded quota' }]);
  const healed = calculateReplicaSetStatus({ ...rs, status: failed }, [], undefined, now);
  assert.equal(healed.conditions, undefined);
});
