import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFor } from '../client/api-client.js';
import type { ConfigMap, KubeObject, Namespace, Pod } from '../api/types.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { isGone, waitFor } from '../testing/wait.js';
import { deletionConditions, newNamespaceController } from './namespace-controller.js';

const namespaces = resourceFor('namespaces');
const configmaps = resourceFor('configmaps');
const pods = resourceFor('pods');

/** The namespace controller against a fresh API server; the test stops it. */
function setup(): Promise<ControllerHarness> {
  return startControllerHarness({ controllers: [newNamespaceController] });
}

test('deleting a namespace empties it and removes it', async () => {
  const { client, stop } = await setup();
  try {
    await client.create<Namespace>(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } });
    await client.create<ConfigMap>(configmaps, 'scratch', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' } });
    await client.create<KubeObject>(resourceFor('secrets'), 'scratch', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    await client.create<Pod>(pods, 'scratch', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await client.create<ConfigMap>(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere' } });
    await client.delete(namespaces, undefined, 'scratch');
    await waitFor(() => isGone(client, namespaces, undefined, 'scratch'));
    // Content of other namespaces is untouched.
    await client.get(configmaps, 'default', 'elsewhere');
  } finally {
    await stop();
  }
});

test('content held by a finalizer keeps the namespace Terminating with upstream conditions', async () => {
  const { client, stop } = await setup();
  try {
    await client.create<Namespace>(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held' } });
    await client.create<ConfigMap>(configmaps, 'held', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', finalizers: ['example.com/hold'] } });
    await client.create<ConfigMap>(configmaps, 'held', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'free' } });
    await client.delete(namespaces, undefined, 'held');
    const ns = await waitFor(async () => {
      const got = await client.get<Namespace>(namespaces, undefined, 'held');
      return got.status?.conditions?.some((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True') && got;
    });
    assert.equal(ns.status?.phase, 'Terminating');
    const byType = new Map((ns.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.deepEqual([...byType.keys()], [
      'NamespaceDeletionDiscoveryFailure',
      'NamespaceDeletionGroupVersionParsingFailure',
      'NamespaceDeletionContentFailure',
      'NamespaceContentRemaining',
      'NamespaceFinalizersRemaining',
    ]);
    assert.equal(byType.get('NamespaceDeletionDiscoveryFailure')?.reason, 'ResourcesDiscovered');
    assert.equal(byType.get('NamespaceDeletionContentFailure')?.message, 'All content successfully deleted, may be waiting on finalization');
    assert.equal(byType.get('NamespaceContentRemaining')?.reason, 'SomeResourcesRemain');
    assert.equal(byType.get('NamespaceContentRemaining')?.message, 'Some resources are remaining: configmaps. has 1 resource instances');
    assert.equal(byType.get('NamespaceFinalizersRemaining')?.reason, 'SomeFinalizersRemain');
    assert.equal(byType.get('NamespaceFinalizersRemaining')?.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);
    // The finalizer's owner lets go: the namespace finishes.
    await client.patch(configmaps, 'held', 'cfg', 'merge', { metadata: { finalizers: null } });
    await waitFor(() => isGone(client, namespaces, undefined, 'held'));
  } finally {
    await stop();
  }
});

test('conditions when everything is gone', () => {
  const c = deletionConditions({ remaining: new Map(), finalizers: new Map(), errors: [], estimateSeconds: 0 });
  assert.deepEqual(c.get('NamespaceContentRemaining'), { status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' });
  assert.deepEqual(c.get('NamespaceFinalizersRemaining'), { status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' });
});
