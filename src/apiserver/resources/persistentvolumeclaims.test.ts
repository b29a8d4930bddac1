import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim, StorageClass } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { fileApiFixture } from '../../testing/api-fixture.js';

const api = fileApiFixture();

const claims = resourceFor('persistentvolumeclaims');
const classes = resourceFor('storageclasses', 'storage.k8s.io');

async function storageClass(name: string, allowVolumeExpansion?: boolean): Promise<void> {
  await api.client.create<StorageClass>(classes, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'rancher.io/local-path', allowVolumeExpansion });
}

/** A claim of class, bound to a volume of 1Gi as the binder leaves it. */
async function boundClaim(name: string, className: string): Promise<void> {
  const pvc = await api.client.create<PersistentVolumeClaim>(claims, 'default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: className },
  });
  const withVolume = await api.client.update<PersistentVolumeClaim>(claims, { ...pvc, spec: { ...pvc.spec, volumeName: `pv-${name}` } });
  await api.client.updateStatus<PersistentVolumeClaim>(claims, { ...withVolume, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } });
}

function resize(name: string, storage: string) {
  return api.client.transport.request('PATCH', `/api/v1/namespaces/default/persistentvolumeclaims/${name}`, { spec: { resources: { requests: { storage } } } }, { 'Content-Type': 'application/merge-patch+json' });
}

const bodyOf = (r: { body: Buffer }) => JSON.parse(r.body.toString('utf8')) as { code: number; reason: string; message: string };

test('PersistentVolumeClaimResize: growing a claim needs a class with allowVolumeExpansion (403 Forbidden otherwise)', async () => {
  await storageClass('fixed');
  await storageClass('growable', true);
  await boundClaim('fixed-data', 'fixed');
  await boundClaim('growable-data', 'growable');

  const refused = await resize('fixed-data', '2Gi');
  assert.equal(refused.status, 403);
  assert.deepEqual(bodyOf(refused), {
    ...bodyOf(refused),
    reason: 'Forbidden',
    code: 403,
    message: 'persistentvolumeclaims "fixed-data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
  });
  // Validation comes first: a shrink below the capacity is Invalid whatever the class.
  const shrunk = await resize('fixed-data', '512Mi');
  assert.equal(shrunk.status, 422);
  assert.equal(
    bodyOf(shrunk).message,
    'PersistentVolumeClaim "fixed-data" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity',
  );

  const grown = await resize('growable-data', '2Gi');
  assert.equal(grown.status, 200);
  const pvc = await api.client.get<PersistentVolumeClaim>(claims, 'default', 'growable-data');
  assert.equal(pvc.spec.resources?.requests?.storage, '2Gi');
});

test('PersistentVolumeClaimResize: an unbound claim cannot grow (its spec is immutable first)', async () => {
  await api.client.create<PersistentVolumeClaim>(claims, 'default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'pending' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'growable' },
  });
  const r = await resize('pending', '2Gi');
  assert.equal(r.status, 422);
  assert.match(bodyOf(r).message, /^PersistentVolumeClaim "pending" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/);
});
