import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodDisruptionBudget } from '../../api/types.js';
import { buildDisruptedPodMap, countHealthyPods, deletionTimeoutMs, expectedPodCount, failSafeStatus, nextBudgetStatus, type ScaleFinder } from './disruption-budget.js';

const now = new Date('2025-01-01T12:00:00Z');

function pod(name: string, opts: { ready?: boolean; owner?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web' },
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: opts.owner, uid: `uid-${opts.owner}`, controller: true }] } : {}),
      ...(opts.deleting ? { deletionTimestamp: now.toISOString() } : {}),
    },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

function budget(spec: Partial<PodDisruptionBudget['spec']>, status?: PodDisruptionBudget['status']): PodDisruptionBudget {
  return { metadata: { name: 'web', namespace: 'default', generation: 1 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, status };
}

/** Every ReplicaSet named in an ownerReference has the given scale. */
const scaleOf = (scale: number): ScaleFinder => (ref) => ({ uid: ref.uid, scale });

test('integer minAvailable: the selected pods are the expected ones, no controller needed', () => {
  const pods = [pod('a'), pod('b'), pod('c')];
  assert.deepEqual(expectedPodCount(budget({ minAvailable: 2 }), pods, () => assert.fail('no scale lookup')), { expectedCount: 3, desiredHealthy: 2, unmanagedPods: [] });
});

test('percentages round up (GetScaledValueFromIntOrPercent with roundUp)', () => {
  const pods = [pod('a', { owner: 'rs' }), pod('b', { owner: 'rs' }), pod('c', { owner: 'rs' })];
  // 50% of 3 is 1.5: minAvailable needs 2, maxUnavailable allows 2 unavailable (so 1 healthy).
  assert.equal(expectedPodCount(budget({ minAvailable: '50%' }), pods, scaleOf(3)).desiredHealthy, 2);
  assert.equal(expectedPodCount(budget({ maxUnavailable: '50%' }), pods, scaleOf(3)).desiredHealthy, 1);
  assert.equal(expectedPodCount(budget({ maxUnavailable: '10%' }), pods, scaleOf(3)).desiredHealthy, 2);
  assert.equal(expectedPodCount(budget({ maxUnavailable: 1 }), pods, scaleOf(5)).expectedCount, 5);
  // More unavailable allowed than expected: nobody needs to stay.
  assert.equal(expectedPodCount(budget({ maxUnavailable: 7 }), pods, scaleOf(3)).desiredHealthy, 0);
});

test('the scale of one controller counts once; unmanaged pods are reported; a missing controller is an error', () => {
  const pods = [pod('a', { owner: 'rs1' }), pod('b', { owner: 'rs1' }), pod('c', { owner: 'rs2' }), pod('lone')];
  const r = expectedPodCount(budget({ maxUnavailable: 1 }), pods, (ref) => ({ uid: ref.uid, scale: ref.name === 'rs1' ? 2 : 4 }));
  assert.deepEqual(r, { expectedCount: 6, desiredHealthy: 5, unmanagedPods: ['lone'] });
  assert.throws(() => expectedPodCount(budget({ minAvailable: '10%' }), [pod('a', { owner: 'gone' })], () => undefined), /^Error: found no controllers for pod "a"$/);
});

test('healthy pods: Ready, not being deleted, not recently evicted', () => {
  const pods = [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }), pod('d'), pod('e')];
  const recent = new Date(now.getTime() - 1000).toISOString();
  const stale = new Date(now.getTime() - deletionTimeoutMs - 1000).toISOString();
  const pdb = budget({ minAvailable: 1 }, { disruptedPods: { d: recent, e: stale, c: recent, gone: recent }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  const m = buildDisruptedPodMap(pods, pdb, now);
  // e was evicted too long ago and never deleted; c is being deleted; gone is gone.
  assert.deepEqual(m.disruptedPods, { d: recent });
  assert.deepEqual(m.notDeleted.map((p) => p.metadata.name), ['e']);
  assert.equal(m.recheckAt, Date.parse(recent) + deletionTimeoutMs);
  assert.equal(countHealthyPods(pods, m.disruptedPods, now), 2);
});

test('status: disruptionsAllowed and the DisruptionAllowed condition; none while no pod is expected', () => {
  const pdb = budget({ minAvailable: 2 });
  const s = nextBudgetStatus(pdb, { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, now)!;
  assert.deepEqual(s, {
    observedGeneration: 1,
    disruptionsAllowed: 1,
    currentHealthy: 3,
    desiredHealthy: 2,
    expectedPods: 3,
    conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: '2025-01-01T12:00:00Z' }],
  });
  // Up to date: nothing to write.
  assert.equal(nextBudgetStatus({ ...pdb, status: s }, { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, now), undefined);
  const none = nextBudgetStatus(pdb, { currentHealthy: 2, desiredHealthy: 0, expectedCount: 0, disruptedPods: {} }, now)!;
  assert.equal(none.disruptionsAllowed, 0);
  assert.deepEqual([none.conditions![0].status, none.conditions![0].reason], ['False', 'InsufficientPods']);
});

test('failSafe: no disruptions, SyncFailed with the error', () => {
  const s = failSafeStatus(budget({ minAvailable: '50%' }, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 }), 'found no controllers for pod "a"', now);
  assert.equal(s.disruptionsAllowed, 0);
  assert.deepEqual(
    s.conditions!.map((c) => [c.type, c.status, c.reason, c.message]),
    [['DisruptionAllowed', 'False', 'SyncFailed', 'found no controllers for pod "a"']],
  );
});
