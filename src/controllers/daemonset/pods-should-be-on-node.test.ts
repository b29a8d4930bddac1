import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { Backoff } from '../../util/backoff.js';
import { calculateDaemonSetCounts } from './daemonset-status.js';
import { podsShouldBeOnNode } from './pods-should-be-on-node.js';

const now = new Date('2025-01-01T12:00:00Z');
const ready = '2025-01-01T11:00:00Z';

function node(name: string, labels: Record<string, string> = {}): Node {
  return { metadata: { name, labels }, spec: {} };
}

function daemonSet(rollingUpdate: { maxUnavailable?: number | string; maxSurge?: number | string } = { maxUnavailable: 1, maxSurge: 0 }): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-1', generation: 1 },
    spec: { selector: { matchLabels: { app: 'a' } }, template: { spec: { containers: [], nodeSelector: { role: 'worker' } } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate } },
  };
}

function pod(name: string, hash: string, opts: { created?: string; phase?: 'Running' | 'Failed' | 'Succeeded'; ready?: boolean; nodeName?: string } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', labels: { 'controller-revision-hash': hash }, creationTimestamp: opts.created ?? '2025-01-01T10:00:00Z' },
    spec: { containers: [], nodeName: opts.nodeName ?? 'n1' },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: ready }] },
  };
}

const worker = node('n1', { role: 'worker' });

test('a node that should run the pod and has none gets one; a node that should not loses its pods', () => {
  const backoff = new Backoff(1000, 900_000);
  assert.deepEqual(podsShouldBeOnNode(worker, undefined, daemonSet(), 'h', backoff, now), { create: true, podsToDelete: [], events: [] });
  assert.deepEqual(podsShouldBeOnNode(node('n2'), undefined, daemonSet(), 'h', backoff, now), { create: false, podsToDelete: [], events: [] });
  assert.deepEqual(podsShouldBeOnNode(node('n2'), [pod('p1', 'h', { nodeName: 'n2' })], daemonSet(), 'h', backoff, now).podsToDelete, ['p1']);
});

test('without surge a node keeps only its oldest pod', () => {
  const pods = [pod('young', 'h', { created: '2025-01-01T11:00:00Z' }), pod('old', 'h', { created: '2025-01-01T09:00:00Z' })];
  assert.deepEqual(podsShouldBeOnNode(worker, pods, daemonSet(), 'h', new Backoff(1000, 900_000), now).podsToDelete, ['young']);
});

test('failed pods are deleted with an event, then backed off; succeeded pods are deleted', () => {
  const backoff = new Backoff(1000, 900_000);
  const first = podsShouldBeOnNode(worker, [pod('f', 'h', { phase: 'Failed' })], daemonSet(), 'h', backoff, now);
  assert.deepEqual(first.podsToDelete, ['f']);
  assert.deepEqual(first.events, [{ type: 'Warning', reason: 'FailedDaemonPod', message: 'Found failed daemon pod default/f on node n1, will try to kill it' }]);
  const again = podsShouldBeOnNode(worker, [pod('f2', 'h', { phase: 'Failed' })], daemonSet(), 'h', backoff, new Date(now.getTime() + 500));
  assert.deepEqual(again.podsToDelete, []);
  assert.equal(again.requeueAfterMs, 1000);
  const done = podsShouldBeOnNode(worker, [pod('s', 'h', { phase: 'Succeeded' })], daemonSet(), 'h', backoff, now);
  assert.deepEqual(done.events, [{ type: 'Normal', reason: 'SucceededDaemonPod', message: 'Found succeeded daemon pod default/s on node n1, will try to delete it' }]);
});

test('with surge the old pod goes once the new one is available, or at once when it is not ready', () => {
  const ds = daemonSet({ maxUnavailable: 0, maxSurge: 1 });
  const b = new Backoff(1000, 900_000);
  const oldPod = pod('old', 'h1', { created: '2025-01-01T09:00:00Z' });
  assert.deepEqual(podsShouldBeOnNode(worker, [oldPod, pod('new', 'h2', { ready: false })], ds, 'h2', b, now).podsToDelete, []);
  assert.deepEqual(podsShouldBeOnNode(worker, [oldPod, pod('new', 'h2')], ds, 'h2', b, now).podsToDelete, ['old']);
  assert.deepEqual(podsShouldBeOnNode(worker, [pod('old', 'h1', { ready: false }), pod('new', 'h2', { ready: false })], ds, 'h2', b, now).podsToDelete, ['old']);
  // With surge, a node whose only pods are being deleted gets a new one at once.
  const terminating = { ...oldPod, metadata: { ...oldPod.metadata, deletionTimestamp: ready } };
  assert.equal(podsShouldBeOnNode(worker, [terminating], ds, 'h2', b, now).create, true);
});

test('status counts: desired, current, ready, available, updated and misscheduled', () => {
  const ds = daemonSet();
  const nodes = [worker, node('n2', { role: 'worker' }), node('n3', { role: 'worker' }), node('other')];
  const pods = new Map<string, Pod[]>([
    ['n1', [pod('a', 'h2')]],
    ['n2', [pod('b', 'h1', { ready: false, nodeName: 'n2' })]],
    ['other', [pod('c', 'h1', { nodeName: 'other' })]],
  ]);
  assert.deepEqual(calculateDaemonSetCounts(ds, nodes, pods, 'h2', undefined, now), {
    desiredNumberScheduled: 3,
    currentNumberScheduled: 2,
    numberMisscheduled: 1,
    numberReady: 1,
    updatedNumberScheduled: 1,
    numberAvailable: 1,
    numberUnavailable: 2,
  });
});
