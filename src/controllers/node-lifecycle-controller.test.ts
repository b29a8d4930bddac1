import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { Event, Lease, Node, Pod } from '../api/types.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { isGone, waitFor } from '../testing/wait.js';
import { desiredTaints, newNodeLifecycleController, tolerationTimeMs } from './node-lifecycle-controller.js';

const nodesInfo = resourceFor('nodes');
const podsInfo = resourceFor('pods');
const leasesInfo = resourceFor('leases', 'coordination.k8s.io');
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const micro = () => new Date().toISOString().replace('Z', '000Z');

function readyNode(name: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: {},
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: now(), lastTransitionTime: now() },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() },
      ],
    },
  };
}

function lease(name: string): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro() } };
}

/** The node lifecycle controller against a fresh API server; the test stops it. */
function setup(): Promise<ControllerHarness> {
  return startControllerHarness({
    controllers: [newNodeLifecycleController],
    // Short grace periods, so a silent node is noticed and its pods evicted within a test.
    options: { nodeMonitorGracePeriodMs: 700, podEvictionTimeoutMs: 300 },
  });
}

async function createRunningPod(client: ApiClient, name: string, nodeName: string): Promise<Pod> {
  const p = await client.create<Pod>(podsInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'nginx' }] },
  });
  p.status = { ...p.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now() }] };
  return client.updateStatus(podsInfo, p);
}

test('a silent node turns Unknown, is tainted, and its pods are marked not ready, evicted and force-deleted', async () => {
  const { client, stop } = await setup();
  let renewing: NodeJS.Timeout | undefined;
  try {
    await client.create(nodesInfo, undefined, readyNode('node-1'));
    await client.create(nodesInfo, undefined, readyNode('node-2'));
    await client.create(leasesInfo, 'kube-node-lease', lease('node-1'));
    await client.create(leasesInfo, 'kube-node-lease', lease('node-2'));
    await createRunningPod(client, 'victim', 'node-1');
    await createRunningPod(client, 'survivor', 'node-2');
    // node-2 keeps renewing its lease (as a kubelet does every 10s); node-1 falls silent.
    renewing = setInterval(() => {
      void client
        .get<Lease>(leasesInfo, 'kube-node-lease', 'node-2')
        .then((l) => client.update(leasesInfo, { ...l, spec: { ...l.spec, renewTime: micro() } }))
        .catch(() => undefined);
    }, 100);

    const unknown = await waitFor(async () => {
      const n = await client.get<Node>(nodesInfo, undefined, 'node-1');
      return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' && n;
    });
    const ready = unknown.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    const mem = unknown.status!.conditions!.find((c) => c.type === 'MemoryPressure')!;
    assert.equal(mem.status, 'Unknown');
    const disk = unknown.status!.conditions!.find((c) => c.type === 'DiskPressure')!;
    assert.equal(disk.reason, 'NodeStatusNeverUpdated');
    assert.equal(disk.message, 'Kubelet never posted node status.');

    const tainted = await waitFor(async () => {
      const n = await client.get<Node>(nodesInfo, undefined, 'node-1');
      return (n.spec?.taints?.length ?? 0) >= 2 && n;
    });
    assert.deepEqual(
      tainted.spec!.taints!.map((t) => `${t.key}:${t.effect}`).sort(),
      ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule'],
    );
    assert.ok(tainted.spec!.taints!.find((t) => t.effect === 'NoExecute')!.timeAdded);

    // The evicted pod is deleted, then force-deleted once its grace period is over.
    await waitFor(() => isGone(client, podsInfo, 'default', 'victim'));
    const events = (await client.list<Event>(resourceFor('events'), 'default')).items;
    const notReady = events.find((e) => e.involvedObject.name === 'victim' && e.reason === 'NodeNotReady');
    assert.equal(notReady?.message, 'Node is not ready');
    const eviction = events.find((e) => e.involvedObject.name === 'victim' && e.reason === 'TaintManagerEviction');
    assert.equal(eviction?.message, 'Marking for deletion Pod default/victim');
    const nodeEvent = events.find((e) => e.involvedObject.name === 'node-1' && e.reason === 'NodeNotReady');
    assert.equal(nodeEvent?.message, 'Node node-1 status is now: NodeNotReady');
    assert.equal(nodeEvent?.source?.component, 'node-controller');
    const registered = events.find((e) => e.involvedObject.name === 'node-1' && e.reason === 'RegisteredNode');
    assert.equal(registered?.message, 'Node node-1 event: Registered Node node-1 in Controller');

    // The node that kept its lease fresh is untouched.
    const n2 = await client.get<Node>(nodesInfo, undefined, 'node-2');
    assert.equal(n2.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(n2.spec?.taints, undefined);
    const survivor = await client.get<Pod>(podsInfo, 'default', 'survivor');
    assert.equal(survivor.metadata.deletionTimestamp, undefined);
    assert.equal(survivor.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

    // The kubelet comes back: Ready again, taints gone.
    const back = await client.get<Node>(nodesInfo, undefined, 'node-1');
    back.status!.conditions = readyNode('node-1').status!.conditions;
    await client.updateStatus(nodesInfo, back);
    await waitFor(async () => !(await client.get<Node>(nodesInfo, undefined, 'node-1')).spec?.taints?.length);
  } finally {
    clearInterval(renewing);
    await stop();
  }
});

test('a node reporting Ready=False gets not-ready taints', async () => {
  const { client, stop } = await setup();
  try {
    const n = readyNode('node-1');
    n.status!.conditions![1] = { ...n.status!.conditions![1], status: 'False', reason: 'KubeletNotReady' };
    await client.create(nodesInfo, undefined, n);
    const tainted = await waitFor(async () => {
      const got = await client.get<Node>(nodesInfo, undefined, 'node-1');
      return got.spec?.taints?.length ? got : undefined;
    });
    assert.deepEqual(tainted.spec!.taints!.map((t) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  } finally {
    await stop();
  }
});

test('a cordoned node gets the unschedulable NoSchedule taint (TaintNodesByCondition), an uncordoned one loses it', () => {
  const dedicated = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  const cordoned = readyNode('node-1');
  cordoned.spec = { unschedulable: true, taints: [dedicated] };
  assert.deepEqual(desiredTaints(cordoned, new Date()), [dedicated, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
  const uncordoned = readyNode('node-1');
  uncordoned.spec = { taints: [dedicated, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] };
  assert.deepEqual(desiredTaints(uncordoned, new Date()), [dedicated]);
});

test('toleration time: untolerated evicts now, default tolerations follow the option, unbounded never', () => {
  const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const pod = (tolerations: Pod['spec']['tolerations']): Pod => ({ metadata: {}, spec: { containers: [], tolerations } });
  assert.equal(tolerationTimeMs(pod([]), [taint], 1234), 0);
  assert.equal(tolerationTimeMs(pod([{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), [taint], 1234), 1234);
  assert.equal(tolerationTimeMs(pod([{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]), [taint], 1234), 5000);
  assert.equal(tolerationTimeMs(pod([{ operator: 'Exists' }]), [taint], 1234), Infinity);
});
