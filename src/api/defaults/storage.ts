// core/v1 PersistentVolume(Claim) and storage.k8s.io/v1 StorageClass defaults
// (SetDefaults_PersistentVolume, SetDefaults_PersistentVolumeClaimSpec, SetDefaults_StorageClass).
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../types.js';

export function defaultPersistentVolume(pv: PersistentVolume): void {
  if (!pv.spec) return;
  pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
  pv.spec.volumeMode ??= 'Filesystem';
}

export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  if (!pvc.spec) return;
  pvc.spec.volumeMode ??= 'Filesystem';
}

export function defaultStorageClass(sc: StorageClass): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}
