import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, Node, NodeSpec } from '../../api/types.js';
import { nodeShouldRunDaemonPod } from './node-should-run.js';

function node(name: string, labels: Record<string, string> = {}, taints: NodeSpec['taints'] = []): Node {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints } };
}

function daemonSet(mut: (ds: DaemonSet) => void = () => undefined): DaemonSet {
  const ds: DaemonSet = {
    metadata: { name: 'agent', namespace: 'default', uid: 'u1' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'agent' }] } } },
  };
  mut(ds);
  return ds;
}

const both = { shouldRun: true, shouldContinueRunning: true };
const neither = { shouldRun: false, shouldContinueRunning: false };
const onlyContinue = { shouldRun: false, shouldContinueRunning: true };

test('every plain node runs the daemon pod', () => {
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1'), daemonSet()), both);
});

test('nodeSelector and required node affinity limit the nodes', () => {
  const ssd = daemonSet((ds) => (ds.spec.template.spec.nodeSelector = { disk: 'ssd' }));
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', { disk: 'ssd' }), ssd), both);
  assert.deepEqual(nodeShouldRunDaemonPod(node('n2', { disk: 'hdd' }), ssd), neither);
  const affinity = daemonSet(
    (ds) =>
      (ds.spec.template.spec.affinity = {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } },
      }),
  );
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', { zone: 'b' }), affinity), both);
  assert.deepEqual(nodeShouldRunDaemonPod(node('n2', { zone: 'c' }), affinity), neither);
  const pinned = daemonSet((ds) => (ds.spec.template.spec.nodeName = 'n2'));
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1'), pinned), neither);
  assert.deepEqual(nodeShouldRunDaemonPod(node('n2'), pinned), both);
});

test('an untolerated NoSchedule taint stops new pods but keeps a running one; NoExecute stops both', () => {
  const ds = daemonSet();
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), ds), onlyContinue);
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]), ds), neither);
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'dedicated', value: 'db', effect: 'PreferNoSchedule' }]), ds), both);
  const tolerant = daemonSet((ds) => (ds.spec.template.spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }]));
  assert.deepEqual(nodeShouldRunDaemonPod(node('n1', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), tolerant), both);
});

test('the default daemon tolerations: cordoned and pressured nodes run it, a not-ready node keeps its pod', () => {
  const ds = daemonSet();
  for (const key of ['node.kubernetes.io/unschedulable', 'node.kubernetes.io/disk-pressure', 'node.kubernetes.io/memory-pressure', 'node.kubernetes.io/pid-pressure']) {
    assert.deepEqual(nodeShouldRunDaemonPod(node('n1', {}, [{ key, effect: 'NoSchedule' }]), ds), both, key);
  }
  const notReady = node('n1', {}, [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
  ]);
  assert.deepEqual(nodeShouldRunDaemonPod(notReady, ds), onlyContinue);
  const networkUnavailable = node('n1', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]);
  assert.deepEqual(nodeShouldRunDaemonPod(networkUnavailable, ds), onlyContinue);
  assert.deepEqual(nodeShouldRunDaemonPod(networkUnavailable, daemonSet((d) => (d.spec.template.spec.hostNetwork = true))), both);
});
