import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/types.js';
import {
  deploymentTimedOut,
  equalIgnoreHash,
  findActiveOrLatest,
  getProportion,
  maxSurge,
  maxUnavailable,
  newDeploymentCondition,
  newRSNewReplicas,
  resolveFenceposts,
  setDeploymentCondition,
  setNewReplicaSetAnnotations,
  valueFromIntOrPercent,
} from './deployment-util.js';

function deployment(replicas: number, surge: number | string, unavailable: number | string, type: 'RollingUpdate' | 'Recreate' = 'RollingUpdate'): Deployment {
  return {
    metadata: { name: 'd', annotations: {} },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      strategy: type === 'Recreate' ? { type } : { type, rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
      progressDeadlineSeconds: 600,
    },
  };
}

function rs(name: string, replicas: number, annotations: Record<string, string> = {}, created = '2024-01-01T00:00:00Z'): ReplicaSet {
  return { metadata: { name, uid: name, annotations, creationTimestamp: created }, spec: { replicas, selector: {} } };
}

test('percentages: surge rounds up, unavailability rounds down', () => {
  assert.equal(valueFromIntOrPercent('25%', 10, true), 3);
  assert.equal(valueFromIntOrPercent('25%', 10, false), 2);
  assert.equal(valueFromIntOrPercent(4, 10, false), 4);
  assert.throws(() => valueFromIntOrPercent('25', 10, true), /string is not a percentage/);
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts('25%', '25%', 1), { surge: 1, unavailable: 0 });
});

test('both zero: unavailability becomes 1 so the rollout can move', () => {
  assert.deepEqual(resolveFenceposts(0, 0, 5), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts('0%', '10%', 5), { surge: 0, unavailable: 1 });
  assert.equal(maxUnavailable(deployment(5, 0, 0)), 1);
});

test('maxUnavailable is capped at replicas and 0 for Recreate or 0 replicas; maxSurge is 0 for Recreate', () => {
  assert.equal(maxUnavailable(deployment(3, 1, 5)), 3);
  assert.equal(maxUnavailable(deployment(0, 1, 1)), 0);
  assert.equal(maxUnavailable(deployment(3, 1, 1, 'Recreate')), 0);
  assert.equal(maxSurge(deployment(3, 1, 1, 'Recreate')), 0);
  assert.equal(maxSurge(deployment(10, '25%', '25%')), 3);
});

test('newRSNewReplicas scales the new ReplicaSet within replicas + maxSurge', () => {
  const d = deployment(10, 3, 2);
  const newRS = rs('new', 0);
  assert.equal(newRSNewReplicas(d, [rs('old', 10), newRS], newRS), 3);
  assert.equal(newRSNewReplicas(d, [rs('old', 8), rs('new', 3)], rs('new', 3)), 5);
  assert.equal(newRSNewReplicas(d, [rs('old', 10), rs('new', 3)], rs('new', 3)), 3);
  assert.equal(newRSNewReplicas(deployment(4, 0, 0, 'Recreate'), [rs('new', 0)], rs('new', 0)), 4);
});

test('getProportion splits an added count by ReplicaSet size', () => {
  const d = deployment(20, 3, 2);
  d.status = { replicas: 13 };
  const old = rs('old', 8, { 'deployment.kubernetes.io/max-replicas': '13' });
  const nw = rs('new', 5, { 'deployment.kubernetes.io/max-replicas': '13' });
  assert.equal(getProportion(old, d, 10, 0), 6);
  assert.equal(getProportion(nw, d, 10, 6), 4);
  // Scaling to zero removes everything.
  assert.equal(getProportion(old, deployment(0, 3, 2), -13, 0), -8);
});

test('setNewReplicaSetAnnotations: revision raised, history recorded on rollback, annotations copied except the skipped ones', () => {
  const d = deployment(3, 1, 1);
  d.metadata.annotations = { 'kubernetes.io/change-cause': 'v3', 'deployment.kubernetes.io/revision': '9', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
  const created = rs('a', 0);
  assert.equal(setNewReplicaSetAnnotations(d, created, '1', false), true);
  assert.deepEqual(created.metadata.annotations, {
    'kubernetes.io/change-cause': 'v3',
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4',
  });
  const reused = rs('b', 0, { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/revision-history': '' });
  setNewReplicaSetAnnotations(d, reused, '3', true);
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  setNewReplicaSetAnnotations(d, reused, '5', true);
  assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1,3');
  // Never lowered.
  assert.equal(setNewReplicaSetAnnotations(d, reused, '2', true), false);
});

test('equalIgnoreHash ignores only the pod-template-hash label', () => {
  const a = deployment(1, 1, 1).spec.template;
  const b = structuredClone(a);
  b.metadata!.labels!['pod-template-hash'] = 'abc';
  assert.equal(equalIgnoreHash(a, b), true);
  b.spec.containers[0].image = 'other';
  assert.equal(equalIgnoreHash(a, b), false);
});

test('findActiveOrLatest: the only active one, the newest when none is active, none when several are', () => {
  const older = rs('older', 0, {}, '2024-01-01T00:00:00Z');
  const newer = rs('newer', 0, {}, '2024-01-02T00:00:00Z');
  assert.equal(findActiveOrLatest(undefined, [older, newer])?.metadata.name, 'newer');
  assert.equal(findActiveOrLatest(rs('n', 0), [rs('o', 2)])?.metadata.name, 'o');
  assert.equal(findActiveOrLatest(rs('n', 1), [rs('o', 2)]), undefined);
});

test('setDeploymentCondition keeps lastTransitionTime when only the reason changes, and is a no-op for the same reason', () => {
  const s: DeploymentStatus = {};
  setDeploymentCondition(s, newDeploymentCondition('Progressing', 'True', 'NewReplicaSetCreated', 'm1', new Date('2024-01-01T00:00:00Z')));
  setDeploymentCondition(s, newDeploymentCondition('Progressing', 'True', 'NewReplicaSetCreated', 'm2', new Date('2024-01-01T00:01:00Z')));
  assert.equal(s.conditions![0].message, 'm1');
  setDeploymentCondition(s, newDeploymentCondition('Progressing', 'True', 'ReplicaSetUpdated', 'm3', new Date('2024-01-01T00:02:00Z')));
  assert.deepEqual(s.conditions![0], { type: 'Progressing', status: 'True', lastUpdateTime: '2024-01-01T00:02:00Z', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'ReplicaSetUpdated', message: 'm3' });
});

test('deploymentTimedOut compares the Progressing lastUpdateTime with progressDeadlineSeconds', () => {
  const d = deployment(1, 1, 0);
  d.spec.progressDeadlineSeconds = 10;
  const s: DeploymentStatus = { conditions: [newDeploymentCondition('Progressing', 'True', 'ReplicaSetUpdated', '', new Date('2024-01-01T00:00:00Z'))] };
  assert.equal(deploymentTimedOut(d, s, new Date('2024-01-01T00:00:10Z')), false);
  assert.equal(deploymentTimedOut(d, s, new Date('2024-01-01T00:00:11Z')), true);
  s.conditions![0].reason = 'NewReplicaSetAvailable';
  assert.equal(deploymentTimedOut(d, s, new Date('2024-01-01T00:01:00Z')), false);
});
