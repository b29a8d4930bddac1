import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFor } from '../../client/api-client.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/types.js';
import { startControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { newPersistentVolumeController, noClassMessage } from './persistentvolume-controller.js';
import { newPVProtectionController } from './pv-protection-controller.js';
import { newPVCProtectionController } from './pvc-protection-controller.js';

const claims = resourceFor('persistentvolumeclaims');
const volumes = resourceFor('persistentvolumes');
const classes = resourceFor('storageclasses', 'storage.k8s.io');

const claim = (name: string, storageClassName?: string): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(storageClassName !== undefined ? { storageClassName } : {}) },
});

const volume = (name: string, size: string, storageClassName = ''): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` }, storageClassName },
});

test('an Immediate claim binds to the smallest fitting volume; a Bound volume is deleted only once its claim is gone', async () => {
  const h = await startControllerHarness({ controllers: [newPersistentVolumeController, newPVCProtectionController, newPVProtectionController] });
  try {
    await h.client.create(volumes, undefined, volume('big', '10Gi'));
    await h.client.create(volumes, undefined, volume('fits', '2Gi'));
    await h.client.create(claims, 'default', claim('data', ''));
    const bound = await waitFor(async () => {
      const c = await h.client.get<PersistentVolumeClaim>(claims, 'default', 'data');
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    assert.equal(bound.spec.volumeName, 'fits');
    assert.deepEqual(bound.status?.capacity, { storage: '2Gi' });
    assert.equal(bound.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(bound.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    const pv = await h.client.get<PersistentVolume>(volumes, undefined, 'fits');
    assert.equal(pv.status?.phase, 'Bound');
    assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
    assert.equal(pv.spec.claimRef?.uid, bound.metadata.uid);
    assert.equal((await h.client.get<PersistentVolume>(volumes, undefined, 'big')).status?.phase, 'Available');

    // A Bound volume's deletion waits (pv-protection) ...
    await h.client.delete(volumes, undefined, 'fits');
    const deleting = await h.client.get<PersistentVolume>(volumes, undefined, 'fits');
    assert.ok(deleting.metadata.deletionTimestamp);
    // ... until its claim goes (no pod uses it: pvc-protection lets that through) and it is Released.
    await h.client.delete(claims, 'default', 'data');
    await waitFor(async () => !(await h.client.list(volumes)).items.some((v) => v.metadata.name === 'fits'));
  } finally {
    await h.stop();
  }
});

test('a claim without class and no volume: FailedBinding; a default class made later is assigned (retroactive default)', async () => {
  const h = await startControllerHarness({ controllers: [newPersistentVolumeController] });
  try {
    await h.client.create(claims, 'default', claim('late'));
    await waitFor(async () => (await h.events()).some((e) => e.reason === 'FailedBinding' && e.message === noClassMessage));
    const sc: StorageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'std', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'example.com/p', volumeBindingMode: 'WaitForFirstConsumer' };
    await h.client.create(classes, undefined, sc);
    await waitFor(async () => (await h.client.get<PersistentVolumeClaim>(claims, 'default', 'late')).spec.storageClassName === 'std');
    await waitFor(async () => (await h.events()).some((e) => e.reason === 'WaitForFirstConsumer' && e.message === 'waiting for first consumer to be created before binding'));
  } finally {
    await h.stop();
  }
});
