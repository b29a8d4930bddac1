import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.js';
import { createPodTemplate, isPodUpdated, replaceNodeNameNodeAffinity, targetNodeName } from './daemon-pods.js';

test('createPodTemplate adds the daemon tolerations and the revision labels, keeping the template', () => {
  const template = {
    metadata: { labels: { app: 'agent' } },
    spec: { containers: [{ name: 'c', image: 'agent' }], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' as const, effect: 'NoExecute', tolerationSeconds: 30 }] },
  };
  const out = createPodTemplate(template, 3, 'abc123');
  assert.deepEqual(out.metadata?.labels, { 'app': 'agent', 'pod-template-generation': '3', 'controller-revision-hash': 'abc123' });
  assert.deepEqual(out.spec.tolerations, [
    // The user's own not-ready toleration is replaced by the unbounded one (same key, operator and effect).
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ]);
  assert.equal(template.spec.tolerations.length, 1, 'the DaemonSet template is not changed');
  const hostNetwork = createPodTemplate({ spec: { containers: [], hostNetwork: true } }, undefined, 'h');
  assert.deepEqual(hostNetwork.metadata?.labels, { 'controller-revision-hash': 'h' });
  assert.deepEqual(hostNetwork.spec.tolerations?.at(-1), { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
});

test('the required node affinity is replaced by metadata.name In [node]; the rest of the affinity stays', () => {
  const affinity = replaceNodeNameNodeAffinity(
    {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
      },
    },
    'node-2',
  );
  assert.deepEqual(affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }],
  });
  assert.equal(affinity.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length, 1);
  assert.deepEqual(replaceNodeNameNodeAffinity(undefined, 'n'), {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }] } },
  });
});

test('a daemon pod targets its bound node, else the node its affinity names', () => {
  const pending: Pod = { metadata: { name: 'p' }, spec: { containers: [], affinity: replaceNodeNameNodeAffinity(undefined, 'node-3') } };
  assert.equal(targetNodeName(pending), 'node-3');
  assert.equal(targetNodeName({ ...pending, spec: { ...pending.spec, nodeName: 'node-1' } }), 'node-1');
  assert.equal(targetNodeName({ metadata: {}, spec: { containers: [] } }), undefined);
});

test('a pod is updated when it carries the current hash or the current template generation', () => {
  const pod = (labels: Record<string, string>): Pod => ({ metadata: { labels }, spec: { containers: [] } });
  assert.ok(isPodUpdated(pod({ 'controller-revision-hash': 'h2' }), 'h2', 5));
  assert.ok(isPodUpdated(pod({ 'pod-template-generation': '5' }), 'h2', 5));
  assert.ok(!isPodUpdated(pod({ 'controller-revision-hash': 'h1', 'pod-template-generation': '4' }), 'h2', 5));
});
