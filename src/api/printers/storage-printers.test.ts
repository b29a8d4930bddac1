import { test } from 'node:test';
import assert from 'node:assert/strict';
import { persistentVolumeColumns, persistentVolumeRow } from './persistentvolume-printer.js';
import { persistentVolumeClaimColumns, persistentVolumeClaimRow } from './persistentvolumeclaim-printer.js';
import { storageClassColumns, storageClassRow } from './storageclass-printer.js';

const now = new Date('2025-01-01T12:00:00Z');
const created = '2025-01-01T11:58:00Z';

test('PV columns and row (printPersistentVolume)', () => {
  assert.deepEqual(
    persistentVolumeColumns.map((c) => c.name),
    ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode'],
  );
  const row = persistentVolumeRow(
    {
      metadata: { name: 'pvc-1', creationTimestamp: created },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'standard', volumeMode: 'Filesystem' },
      status: { phase: 'Bound' },
    },
    now,
  );
  assert.deepEqual(row.cells, ['pvc-1', '1Gi', 'RWO,ROX', 'Delete', 'Bound', 'default/data', 'standard', '<unset>', '', '2m', 'Filesystem']);
});

test('PVC columns; capacity and modes only once bound; Terminating when deleted', () => {
  assert.deepEqual(persistentVolumeClaimColumns.map((c) => c.name), ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode']);
  const pending = persistentVolumeClaimRow({ metadata: { name: 'data', creationTimestamp: created }, spec: { storageClassName: 'standard', resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }, now);
  assert.deepEqual(pending.cells, ['data', 'Pending', '', '', '', 'standard', '<unset>', '2m', 'Filesystem']);
  const bound = persistentVolumeClaimRow(
    { metadata: { name: 'data', creationTimestamp: created, deletionTimestamp: created }, spec: { volumeName: 'pvc-1', storageClassName: 'standard' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } },
    now,
  );
  assert.deepEqual(bound.cells, ['data', 'Terminating', 'pvc-1', '1Gi', 'RWO', 'standard', '<unset>', '2m', '<unset>']);
});

test('StorageClass: (default) after the default class name, defaults for unset policies', () => {
  assert.deepEqual(storageClassColumns.map((c) => c.name), ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
  const row = storageClassRow(
    { metadata: { name: 'standard', creationTimestamp: created, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
    now,
  );
  assert.deepEqual(row.cells, ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '2m']);
});
