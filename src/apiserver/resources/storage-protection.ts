// The StorageObjectInUseProtection admission plugin (plugin/pkg/admission/storage/
// storageobjectinuseprotection): every new claim and volume carries a protection finalizer,
// which the pvc-protection and pv-protection controllers remove once nothing uses the object.
import type { KubeObject } from '../../api/types.js';

export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

export function addFinalizer(obj: KubeObject, finalizer: string): void {
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) obj.metadata.finalizers = [...finalizers, finalizer];
}
