import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, Pod } from '../../api/types.js';
import { findUpdatedPodsOnNode, rollingUpdateActions, rollingUpdateBudget, surgeCount, unavailableCount } from './rolling-update.js';

const now = new Date('2025-01-01T12:00:00Z');

function daemonSet(rollingUpdate: { maxUnavailable?: number | string; maxSurge?: number | string }, minReadySeconds = 0): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'a' } }, template: { spec: { containers: [] } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate }, minReadySeconds },
  };
}

/** A daemon pod of revision `hash`, ready since `readySince` (or not ready). */
function pod(name: string, hash: string, readySince?: string): Pod {
  return {
    metadata: { name, namespace: 'default', labels: { 'controller-revision-hash': hash } },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: readySince ? 'True' : 'False', lastTransitionTime: readySince ?? '2025-01-01T11:00:00Z' }] },
  };
}

const ready = '2025-01-01T11:00:00Z';

test('surge and unavailability scale percentages of the nodes that should run the pod, rounding up', () => {
  assert.equal(unavailableCount(daemonSet({ maxUnavailable: 1 }), 10), 1);
  assert.equal(unavailableCount(daemonSet({ maxUnavailable: '10%' }), 3), 1);
  assert.equal(unavailableCount(daemonSet({ maxUnavailable: '50%' }), 5), 3);
  assert.equal(surgeCount(daemonSet({ maxUnavailable: 0, maxSurge: '25%' }), 10), 3);
  assert.equal(surgeCount(daemonSet({ maxUnavailable: 1 }), 10), 0);
  const onDelete: DaemonSet = { ...daemonSet({}), spec: { ...daemonSet({}).spec, updateStrategy: { type: 'OnDelete' } } };
  assert.equal(unavailableCount(onDelete, 10), 0);
  // Neither allowed (refused by validation): one unavailable node, so an update still moves.
  assert.deepEqual(rollingUpdateBudget(daemonSet({ maxUnavailable: 0, maxSurge: 0 }), 4), { maxSurge: 0, maxUnavailable: 1 });
  assert.deepEqual(rollingUpdateBudget(daemonSet({ maxUnavailable: 0, maxSurge: 0 }), 0), { maxSurge: 0, maxUnavailable: 0 });
});

test('a node with two pods of one kind is left to the manage pass', () => {
  assert.equal(findUpdatedPodsOnNode([pod('a', 'old', ready), pod('b', 'old', ready)], 'new', undefined), undefined);
  const deleting = { ...pod('b', 'old', ready), metadata: { ...pod('b', 'old').metadata, deletionTimestamp: ready } };
  assert.deepEqual(findUpdatedPodsOnNode([pod('a', 'new'), deleting], 'new', undefined)?.oldPod, undefined);
});

function plan(ds: DaemonSet, nodes: Record<string, Pod[]>) {
  const { maxSurge, maxUnavailable } = rollingUpdateBudget(ds, Object.keys(nodes).length);
  return rollingUpdateActions({ ds, nodeToDaemonPods: new Map(Object.entries(nodes)), hash: 'new', templateGeneration: undefined, maxSurge, maxUnavailable, now });
}

test('without surge: old pods go one node at a time, waiting for each new pod to be available', () => {
  const ds = daemonSet({ maxUnavailable: 1, maxSurge: 0 });
  // Start: every node runs an available old pod; the first node (by name) is replaced.
  assert.deepEqual(plan(ds, { n1: [pod('a1', 'old', ready)], n2: [pod('a2', 'old', ready)], n3: [pod('a3', 'old', ready)] }), { podsToDelete: ['a1'], nodesToCreate: [] });
  // n1's old pod is gone and its new one not yet created: n1 is the unavailable node.
  assert.deepEqual(plan(ds, { n1: [], n2: [pod('a2', 'old', ready)], n3: [pod('a3', 'old', ready)] }), { podsToDelete: [], nodesToCreate: [] });
  // n1's new pod is not ready yet: still no further deletion.
  assert.deepEqual(plan(ds, { n1: [pod('b1', 'new')], n2: [pod('a2', 'old', ready)], n3: [pod('a3', 'old', ready)] }), { podsToDelete: [], nodesToCreate: [] });
  // n1's new pod is available: n2 is next.
  assert.deepEqual(plan(ds, { n1: [pod('b1', 'new', ready)], n2: [pod('a2', 'old', ready)], n3: [pod('a3', 'old', ready)] }), { podsToDelete: ['a2'], nodesToCreate: [] });
  // An old pod that is not available is replaced regardless of the budget.
  assert.deepEqual(plan(ds, { n1: [pod('b1', 'new')], n2: [pod('a2', 'old')], n3: [pod('a3', 'old', ready)] }), { podsToDelete: ['a2'], nodesToCreate: [] });
});

test('without surge: maxUnavailable 2 replaces two nodes at once; minReadySeconds delays availability', () => {
  const ds = daemonSet({ maxUnavailable: 2, maxSurge: 0 });
  assert.deepEqual(plan(ds, { n1: [pod('a1', 'old', ready)], n2: [pod('a2', 'old', ready)], n3: [pod('a3', 'old', ready)] }).podsToDelete, ['a1', 'a2']);
  const slow = daemonSet({ maxUnavailable: 1, maxSurge: 0 }, 60);
  // Ready for 30s only: not available with minReadySeconds 60, so n2 waits.
  assert.deepEqual(plan(slow, { n1: [pod('b1', 'new', '2025-01-01T11:59:30Z')], n2: [pod('a2', 'old', ready)] }).podsToDelete, []);
  assert.deepEqual(plan(slow, { n1: [pod('b1', 'new', '2025-01-01T11:58:30Z')], n2: [pod('a2', 'old', ready)] }).podsToDelete, ['a2']);
});

test('with surge: a new pod starts beside the old one, which goes once the new one is available', () => {
  const ds = daemonSet({ maxUnavailable: 0, maxSurge: 1 });
  assert.deepEqual(plan(ds, { n1: [pod('a1', 'old', ready)], n2: [pod('a2', 'old', ready)] }), { podsToDelete: [], nodesToCreate: ['n1'] });
  // n1 surging, its new pod not yet available: no more surge.
  assert.deepEqual(plan(ds, { n1: [pod('a1', 'old', ready), pod('b1', 'new')], n2: [pod('a2', 'old', ready)] }), { podsToDelete: [], nodesToCreate: [] });
  // n1's new pod is available: its old pod goes and n2 surges.
  assert.deepEqual(plan(ds, { n1: [pod('a1', 'old', ready), pod('b1', 'new', ready)], n2: [pod('a2', 'old', ready)] }), { podsToDelete: ['a1'], nodesToCreate: ['n2'] });
  // An unavailable old pod gets its replacement at once, beyond maxSurge.
  assert.deepEqual(plan(ds, { n1: [pod('a1', 'old', ready), pod('b1', 'new')], n2: [pod('a2', 'old')] }), { podsToDelete: [], nodesToCreate: ['n2'] });
});
