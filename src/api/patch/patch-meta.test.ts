import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listStrategy, lookup } from './patch-meta.js';

test('merge keys follow the upstream struct tags', () => {
  const pod = (...p: string[]) => listStrategy('v1', 'Pod', p);
  assert.deepEqual(pod('metadata', 'ownerReferences'), { mergeKey: 'uid' });
  assert.deepEqual(pod('metadata', 'finalizers'), { primitiveMerge: true });
  assert.deepEqual(pod('spec', 'containers'), { mergeKey: 'name' });
  assert.deepEqual(pod('spec', 'initContainers'), { mergeKey: 'name' });
  assert.deepEqual(pod('spec', 'ephemeralContainers'), { mergeKey: 'name' });
  assert.deepEqual(pod('spec', 'volumes'), { mergeKey: 'name', retainKeys: true });
  assert.deepEqual(pod('spec', 'imagePullSecrets'), { mergeKey: 'name' });
  assert.deepEqual(pod('spec', 'hostAliases'), { mergeKey: 'ip' });
  assert.equal(pod('spec', 'tolerations'), undefined);
  assert.deepEqual(pod('spec', 'containers', 'ports'), { mergeKey: 'containerPort' });
  assert.deepEqual(pod('spec', 'containers', 'env'), { mergeKey: 'name' });
  assert.deepEqual(pod('spec', 'containers', 'volumeMounts'), { mergeKey: 'mountPath' });
  assert.equal(pod('spec', 'containers', 'envFrom'), undefined);
  assert.equal(pod('spec', 'containers', 'args'), undefined);
  assert.deepEqual(pod('status', 'conditions'), { mergeKey: 'type' });
  assert.equal(pod('status', 'containerStatuses'), undefined);
  assert.deepEqual(listStrategy('v1', 'Service', ['spec', 'ports']), { mergeKey: 'port' });
  assert.deepEqual(listStrategy('v1', 'Node', ['status', 'conditions']), { mergeKey: 'type' });
  assert.deepEqual(listStrategy('v1', 'Node', ['status', 'addresses']), { mergeKey: 'type' });
  assert.deepEqual(listStrategy('apps/v1', 'Deployment', ['spec', 'template', 'spec', 'containers']), { mergeKey: 'name' });
  assert.deepEqual(listStrategy('apps/v1', 'ReplicaSet', ['spec', 'template', 'spec', 'volumes']), { mergeKey: 'name', retainKeys: true });
  assert.deepEqual(listStrategy('apps/v1', 'Deployment', ['spec', 'strategy']), { retainKeys: true });
  assert.deepEqual(listStrategy('apps/v1', 'Deployment', ['status', 'conditions']), { mergeKey: 'type' });
  assert.equal(listStrategy('v1', 'Endpoints', ['subsets']), undefined);
});

test('server-side apply keys differ from SMP merge keys where upstream differs', () => {
  const ports = lookup('v1', 'Service', ['spec', 'ports']);
  assert.deepEqual(ports?.listMapKeys, ['port', 'protocol']);
  assert.deepEqual(lookup('v1', 'Pod', ['spec', 'containers', 'ports'])?.listMapKeys, ['containerPort', 'protocol']);
  assert.equal(lookup('v1', 'Pod', ['status', 'hostIPs'])?.listType, 'atomic');
  assert.equal(lookup('apps/v1', 'Deployment', ['spec', 'selector'])?.atomic, true);
  assert.equal(lookup('v1', 'Service', ['spec', 'selector'])?.atomic, true);
});
