import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, Node } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { startApiFixture } from '../testing/api-fixture.js';
import { silentLogger } from '../util/logger.js';
import { microTime, NodeHeartbeat } from './node-lease.js';
import { registerNode } from './node-registration.js';

const leases = resourceFor('leases', 'coordination.k8s.io');
const nodes = resourceFor('nodes');

async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('microTime has microseconds', () => {
  assert.equal(microTime(new Date('2025-01-02T03:04:05.678Z')), '2025-01-02T03:04:05.678000Z');
});

test('the node lease is created, owned by the Node, and renewed', async (t) => {
  const api = await startApiFixture();
  t.after(() => api.stop());
  const client = api.client('kubelet');
  const node = await registerNode(client, { name: 'node-1', nodeIP: '172.18.0.2', podCIDR: '10.244.1.0/24', containerRuntimeVersion: 'fake://0.1.0' });
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const hb = new NodeHeartbeat({ client, nodeName: 'node-1', logger: silentLogger, now: () => new Date(clock), leaseRenewIntervalMs: 30, nodeStatusReportIntervalMs: 30, nodeStatusUpdateIntervalMs: 30 });
  await hb.start();
  t.after(() => hb.stop());

  const lease = await client.get<Lease>(leases, 'kube-node-lease', 'node-1');
  assert.equal(lease.spec?.holderIdentity, 'node-1');
  assert.equal(lease.spec?.leaseDurationSeconds, 40);
  assert.equal(lease.spec?.renewTime, '2030-01-01T00:00:00.000000Z');
  assert.deepEqual(lease.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: node.metadata.uid }]);

  clock += 10_000;
  const renewed = await waitFor(async () => {
    const l = await client.get<Lease>(leases, 'kube-node-lease', 'node-1');
    return l.spec?.renewTime === '2030-01-01T00:00:10.000000Z' && l;
  });
  assert.deepEqual(renewed.metadata.ownerReferences, lease.metadata.ownerReferences);

  // The Node's conditions get the same heartbeat.
  await waitFor(async () => {
    const n = await client.get<Node>(nodes, undefined, 'node-1');
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    return ready?.lastHeartbeatTime === '2030-01-01T00:00:10Z' && ready.status === 'True';
  });
});

test('a lease deleted behind the kubelet is recreated', async (t) => {
  const api = await startApiFixture();
  t.after(() => api.stop());
  const client = api.client('kubelet');
  await registerNode(client, { name: 'node-2', nodeIP: '172.18.0.3', podCIDR: '10.244.2.0/24', containerRuntimeVersion: 'fake://0.1.0' });
  const hb = new NodeHeartbeat({ client, nodeName: 'node-2', logger: silentLogger, leaseRenewIntervalMs: 20 });
  await hb.start();
  t.after(() => hb.stop());
  await client.delete(leases, 'kube-node-lease', 'node-2');
  const back = await waitFor(async () => {
    try {
      return await client.get<Lease>(leases, 'kube-node-lease', 'node-2');
    } catch {
      return undefined;
    }
  });
  assert.equal(back.spec?.holderIdentity, 'node-2');
});

test('a Node the lifecycle controller set to Unknown is posted Ready at the next status tick, not at the 5-minute report', async (t) => {
  const api = await startApiFixture();
  t.after(() => api.stop());
  const client = api.client('kubelet');
  await registerNode(client, { name: 'node-3', nodeIP: '172.18.0.4', podCIDR: '10.244.3.0/24', containerRuntimeVersion: 'fake://0.1.0' });
  // The clock stands still: no report is ever due, only a change makes the kubelet post.
  const clock = Date.parse('2030-01-01T00:00:00Z');
  let posts = 0;
  const counting = Object.create(client) as typeof client;
  // Counted once written: the kubelet's record of its last report is set then too.
  counting.updateStatus = (async (...args: Parameters<typeof client.updateStatus>) => {
    const r = await client.updateStatus(...args);
    posts++;
    return r;
  }) as typeof client.updateStatus;
  const hb = new NodeHeartbeat({ client: counting, nodeName: 'node-3', logger: silentLogger, now: () => new Date(clock), leaseRenewIntervalMs: 60_000, nodeStatusUpdateIntervalMs: 20 });
  await hb.start();
  t.after(() => hb.stop());
  // The first tick reports (nothing reported yet); then, unchanged and not due, ticks pass without a post.
  await waitFor(() => posts === 1);
  for (let i = 0; i < 5; i++) await hb.syncNodeStatus();
  assert.equal(posts, 1);

  // What the node lifecycle controller writes when the lease goes stale.
  const n = await client.get<Node>(nodes, undefined, 'node-3');
  const unknown = n.status!.conditions!.map((c) => ({ ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: '2030-01-01T00:00:00Z' }));
  await client.updateStatus<Node>(nodes, { ...n, status: { ...n.status, conditions: unknown } });

  const back = await waitFor(async () => {
    const x = await client.get<Node>(nodes, undefined, 'node-3');
    return x.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  });
  assert.equal(back.reason, 'KubeletReady');
  assert.equal(back.lastTransitionTime, '2030-01-01T00:00:00Z');
  assert.equal(posts, 2);
});
