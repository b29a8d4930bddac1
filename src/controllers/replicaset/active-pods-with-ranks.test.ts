import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.js';
import { getPodsToDelete } from './active-pods-with-ranks.js';

const now = Date.parse('2024-01-01T12:00:00Z');

function pod(name: string, o: { node?: string; phase?: 'Pending' | 'Running'; ready?: string; created?: string; restarts?: number; cost?: string } = {}): Pod {
  const p: Pod = {
    metadata: { name, uid: name, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : undefined },
    spec: { containers: [{ name: 'c', image: 'i' }], nodeName: o.node },
    status: { phase: o.phase ?? 'Running', conditions: o.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: o.ready }] : [], containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }] },
  };
  return p;
}

const names = (ps: Pod[]) => ps.map((p) => p.metadata.name);

test('unscheduled < pending < running; not ready < ready', () => {
  const pods = [pod('ready', { node: 'n1', ready: '2024-01-01T00:00:00Z' }), pod('running', { node: 'n1' }), pod('pending', { node: 'n1', phase: 'Pending' }), pod('unscheduled', { phase: 'Pending' })];
  assert.deepEqual(names(getPodsToDelete(pods, pods, 3, now)), ['unscheduled', 'pending', 'running']);
});

test('pod-deletion-cost, then doubled-up nodes, then shortest ready time', () => {
  const r = '2024-01-01T00:00:00Z';
  const costly = pod('costly', { node: 'n1', ready: r, cost: '100' });
  const cheap = pod('cheap', { node: 'n1', ready: r, cost: '-1' });
  assert.deepEqual(names(getPodsToDelete([costly, cheap], [costly, cheap], 1, now)), ['cheap']);
  const alone = pod('alone', { node: 'n2', ready: r });
  const crowded = pod('crowded', { node: 'n1', ready: r });
  const related = [alone, crowded, pod('x', { node: 'n1', ready: r })];
  assert.deepEqual(names(getPodsToDelete([alone, crowded], related, 1, now)), ['crowded']);
  // Ready for 1 minute vs 8 hours: the recently ready one goes first (log2 ranks differ).
  const recent = pod('recent', { node: 'n1', ready: '2024-01-01T11:59:00Z' });
  const long = pod('long', { node: 'n1', ready: '2024-01-01T04:00:00Z' });
  assert.deepEqual(names(getPodsToDelete([long, recent], [], 1, now)), ['recent']);
});

test('more restarts first, then newer first', () => {
  const r = '2024-01-01T00:00:00Z';
  const flaky = pod('flaky', { node: 'n1', ready: r, restarts: 5 });
  const stable = pod('stable', { node: 'n1', ready: r });
  assert.deepEqual(names(getPodsToDelete([stable, flaky], [], 1, now)), ['flaky']);
  const young = pod('young', { node: 'n1', ready: r, created: '2024-01-01T11:59:59Z' });
  const old = pod('old', { node: 'n1', ready: r, created: '2023-12-01T00:00:00Z' });
  assert.deepEqual(names(getPodsToDelete([old, young], [], 1, now)), ['young']);
});
