import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFor } from '../client/api-client.js';
import type { Event, Node, Pod } from '../api/types.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { waitFor } from '../testing/wait.js';
import { fitErrorMessage, newScheduler } from './scheduler.js';

const nodesInfo = resourceFor('nodes');
const podsInfo = resourceFor('pods');

function node(name: string, extra: Partial<Node> = {}, ready: 'True' | 'False' | 'Unknown' = 'True'): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name }, ...(extra.metadata ?? {}) },
    spec: extra.spec ?? {},
    status: { conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
  };
}

function pod(name: string, spec: Partial<Pod['spec']> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } };
}

/** The scheduler against a fresh API server; the test stops it. */
function setup(): Promise<ControllerHarness> {
  return startControllerHarness({ controllers: [newScheduler] });
}

async function nodeOf(client: import('../client/api-client.js').ApiClient, name: string): Promise<string> {
  return waitFor(async () => (await client.get<Pod>(podsInfo, 'default', name)).spec.nodeName);
}

test('scheduler spreads pods over ready nodes and records Scheduled', async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, node('node-1'));
    await client.create(nodesInfo, undefined, node('node-2'));
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid-1', controller: true };
    for (const n of ['web-1', 'web-2', 'web-3']) {
      const p = pod(n);
      p.metadata.ownerReferences = [owner];
      await client.create(podsInfo, 'default', p);
    }
    const placed = await Promise.all(['web-1', 'web-2', 'web-3'].map((n) => nodeOf(client, n)));
    assert.deepEqual(new Set(placed), new Set(['node-1', 'node-2']));
    const ev = await waitFor(async () =>
      (await client.list<Event>(resourceFor('events'), 'default')).items.find((e) => e.involvedObject.name === 'web-1' && e.reason === 'Scheduled'),
    );
    assert.equal(ev.message, `Successfully assigned default/web-1 to ${placed[0]}`);
    assert.equal(ev.source?.component, 'default-scheduler');
    assert.equal(ev.type, 'Normal');
  } finally {
    await stop();
  }
});

test('scheduler honours nodeSelector, taints, unschedulable and readiness', async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, node('node-1', { metadata: { labels: { disk: 'ssd' } } }));
    await client.create(nodesInfo, undefined, node('node-2', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } }));
    await client.create(nodesInfo, undefined, node('node-3', { spec: { unschedulable: true } }));
    await client.create(nodesInfo, undefined, node('node-4', {}, 'False'));
    await client.create(podsInfo, 'default', pod('ssd', { nodeSelector: { disk: 'ssd' } }));
    assert.equal(await nodeOf(client, 'ssd'), 'node-1');
    await client.create(
      podsInfo,
      'default',
      pod('db', { nodeSelector: { 'kubernetes.io/hostname': 'node-2' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }),
    );
    assert.equal(await nodeOf(client, 'db'), 'node-2');
    await client.create(podsInfo, 'default', pod('anything', { tolerations: [{ operator: 'Exists' }], nodeSelector: { 'kubernetes.io/hostname': 'node-3' } }));
    assert.equal(await nodeOf(client, 'anything'), 'node-3');
    // A pod pinned with nodeName is not the scheduler's.
    await client.create(podsInfo, 'default', pod('pinned', { nodeName: 'node-4' }));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await client.get<Pod>(podsInfo, 'default', 'pinned')).spec.nodeName, 'node-4');
  } finally {
    await stop();
  }
});

test('unschedulable pod gets FailedScheduling and PodScheduled=False, then fits when a node appears', async () => {
  const { client, stop } = await setup();
  try {
    await client.create(nodesInfo, undefined, node('node-1'));
    await client.create(nodesInfo, undefined, node('node-2', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } }));
    await client.create(podsInfo, 'default', pod('picky', { nodeSelector: { zone: 'b' } }));
    const want =
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: db}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
    const ev = await waitFor(async () =>
      (await client.list<Event>(resourceFor('events'), 'default')).items.find((e) => e.involvedObject.name === 'picky' && e.reason === 'FailedScheduling'),
    );
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, want);
    const cond = await waitFor(async () => (await client.get<Pod>(podsInfo, 'default', 'picky')).status?.conditions?.find((c) => c.type === 'PodScheduled'));
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, want);
    const n3 = node('node-3');
    n3.metadata.labels = { zone: 'b' };
    await client.create(nodesInfo, undefined, n3);
    assert.equal(await nodeOf(client, 'picky'), 'node-3');
  } finally {
    await stop();
  }
});

test('FailedScheduling message matches upstream for selector mismatch on every node', () => {
  const reasons = new Map([
    ['node-1', "node(s) didn't match Pod's node affinity/selector"],
    ['node-2', "node(s) didn't match Pod's node affinity/selector"],
  ]);
  assert.equal(
    fitErrorMessage(pod('x'), reasons),
    "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  );
});
