import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { startControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { newExpandController } from './expand-controller.js';

const claims = resourceFor('persistentvolumeclaims');

test('a grown bound claim of a local-path volume: Warning ExternalExpanding, its capacity unchanged', async (t) => {
  const h = await startControllerHarness({ controllers: [newExpandController] });
  t.after(() => h.stop());
  const { client } = h;
  await client.create(resourceFor('storageclasses', 'storage.k8s.io'), undefined, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'growable' },
    provisioner: 'rancher.io/local-path',
    allowVolumeExpansion: true,
  });
  const pvc = await client.create<PersistentVolumeClaim>(claims, 'default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } }, storageClassName: 'growable' },
  });
  const withVolume = await client.update<PersistentVolumeClaim>(claims, { ...pvc, spec: { ...pvc.spec, volumeName: 'pvc-1' } });
  await client.updateStatus<PersistentVolumeClaim>(claims, { ...withVolume, status: { phase: 'Bound', capacity: { storage: '10Mi' } } });
  // Bound at its size: nothing to expand.
  await client.patch(claims, 'default', 'data', 'merge', { metadata: { labels: { touched: 'yes' } } });
  await client.patch(claims, 'default', 'data', 'merge', { spec: { resources: { requests: { storage: '20Mi' } } } });
  const ev = await waitFor(async () => (await h.events()).find((e) => e.involvedObject.name === 'data' && e.reason === 'ExternalExpanding'));
  assert.deepEqual([ev.type, ev.message, ev.source?.component], ['Warning', 'waiting for an external controller to expand this PVC', 'volume_expand']);
  assert.equal((await h.events()).filter((e) => e.reason === 'ExternalExpanding').length, 1);
  const now = await client.get<PersistentVolumeClaim>(claims, 'default', 'data');
  assert.deepEqual([now.spec.resources?.requests?.storage, now.status?.capacity?.storage], ['20Mi', '10Mi']);
});
