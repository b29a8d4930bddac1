import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import type { Node, NodeSystemInfo } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { startApiFixture } from '../testing/api-fixture.js';
import { buildNode, goArch, nodeConditions, nodeName, nodePodCIDR, registerNode, type NodeRegistration } from './node-registration.js';

const nodes = resourceFor('nodes');
const reg: NodeRegistration = { name: 'node-1', nodeIP: '172.18.0.2', podCIDR: '10.244.1.0/24', containerRuntimeVersion: 'fake://0.1.0' };

test('node names and pod CIDRs follow the node index', () => {
  assert.equal(nodeName(3), 'node-3');
  assert.equal(nodePodCIDR('10.244.0.0/16', 1), '10.244.1.0/24');
  assert.equal(nodePodCIDR('10.244.0.0/16', 12), '10.244.12.0/24');
  assert.throws(() => nodePodCIDR('10.244.0.0/16', 256), /no \/24 with index 256/);
});

test('the Node carries the kubelet labels, pod CIDR, addresses, capacity and nodeInfo', () => {
  const node = buildNode(reg, new Date('2025-01-02T03:04:05.678Z'));
  const arch = goArch();
  assert.deepEqual(node.metadata.labels, {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': 'node-1',
    'kubernetes.io/os': 'linux',
  });
  assert.deepEqual(node.spec, { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
  assert.deepEqual(node.status?.addresses, [
    { type: 'InternalIP', address: '172.18.0.2' },
    { type: 'Hostname', address: 'node-1' },
  ]);
  assert.equal(node.status?.capacity?.pods, '110');
  assert.equal(node.status?.capacity?.cpu, String(os.availableParallelism()));
  assert.match(node.status?.capacity?.memory ?? '', /^\d+Ki$/);
  assert.match(node.status?.capacity?.['ephemeral-storage'] ?? '', /^\d+Ki$/);
  assert.deepEqual(node.status?.allocatable, node.status?.capacity);
  assert.deepEqual(node.status?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  const info: Partial<NodeSystemInfo> = node.status?.nodeInfo ?? {};
  assert.equal(info.kubeletVersion, 'v1.33.0+kanzen');
  assert.equal(info.kubeProxyVersion, 'v1.33.0+kanzen');
  assert.equal(info.containerRuntimeVersion, 'fake://0.1.0');
  assert.equal(info.kernelVersion, os.release());
  assert.equal(info.operatingSystem, 'linux');
  assert.equal(info.architecture, arch);
  assert.ok(info.osImage);
  assert.notEqual(buildNode({ ...reg, name: 'node-2' }, new Date()).status?.nodeInfo?.systemUUID, info.systemUUID);
});

test('node conditions: healthy, in upstream order, transition times kept while the status holds', () => {
  const t0 = new Date('2025-01-01T00:00:00Z');
  const first = nodeConditions(undefined, t0);
  assert.deepEqual(first, [
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ]);
  const t1 = new Date('2025-01-01T00:05:00Z');
  const unknownReady = first.map((c) =>
    c.type === 'Ready' ? { ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c,
  );
  const next = nodeConditions([...unknownReady, { type: 'NetworkUnavailable', status: 'False' }], t1);
  assert.equal(next[0].lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(next[0].lastHeartbeatTime, '2025-01-01T00:05:00Z');
  assert.equal(next[3].status, 'True');
  assert.equal(next[3].lastTransitionTime, '2025-01-01T00:05:00Z', 'Ready again is a transition');
  assert.deepEqual(next[4], { type: 'NetworkUnavailable', status: 'False' }, "others' conditions are kept");
});

test('registration creates the Node, and re-registration adopts it keeping user changes', async (t) => {
  const api = await startApiFixture();
  t.after(() => api.stop());
  const client = api.client('kubelet');
  const created = await registerNode(client, reg);
  assert.equal(created.metadata.name, 'node-1');
  assert.equal(created.spec?.podCIDR, '10.244.1.0/24');
  assert.equal(created.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(created.metadata.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');

  // A user labels and taints the node; the lifecycle controller marks it Unknown.
  const edited = await client.update<Node>(nodes, {
    ...created,
    metadata: { ...created.metadata, labels: { ...created.metadata.labels, tier: 'web' } },
    spec: { ...created.spec, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] },
  });
  await client.updateStatus<Node>(nodes, {
    ...edited,
    status: {
      ...edited.status,
      conditions: edited.status?.conditions?.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c)),
    },
  });

  const again = await registerNode(client, reg);
  assert.equal(again.metadata.uid, created.metadata.uid, 'the same Node object');
  assert.equal(again.metadata.labels?.tier, 'web');
  assert.equal(again.metadata.labels?.['kubernetes.io/hostname'], 'node-1');
  assert.deepEqual(again.spec?.taints, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]);
  assert.deepEqual(again.spec?.podCIDRs, ['10.244.1.0/24']);
  const ready = again.status?.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'True');
  assert.equal(ready?.reason, 'KubeletReady');
});
