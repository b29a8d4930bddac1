// PersistentVolumeClaims (upstream pkg/registry/core/persistentvolumeclaim): a new claim
// starts Pending; admission gives a claim without a class the default StorageClass
// (DefaultStorageClass) and the pvc-protection finalizer (StorageObjectInUseProtection).
import type { PersistentVolumeClaim, StorageClass } from '../../api/types.js';
import { defaultPersistentVolumeClaim } from '../../api/defaults/storage.js';
import { betaStorageClassAnnotation, defaultStorageClass } from '../../api/storage-helpers.js';
import { validateObjectMetaUpdate } from '../../api/validation/object-meta.js';
import { validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate } from '../../api/validation/storage-validation.js';
import { defaultStrategy } from './default-strategy.js';
import { persistentVolumeClaimPrinter } from '../../api/printers/persistentvolumeclaim-printer.js';
import type { ResourceModule } from './resource-module.js';
import { addFinalizer, pvcProtectionFinalizer } from './storage-protection.js';

export const persistentvolumeclaims: ResourceModule = {
  printer: persistentVolumeClaimPrinter,
  defaults: (obj) => defaultPersistentVolumeClaim(obj as PersistentVolumeClaim),
  async admitCreate(obj, _namespace, deps) {
    const pvc = obj as PersistentVolumeClaim;
    addFinalizer(pvc, pvcProtectionFinalizer);
    // DefaultStorageClass: only a claim that names no class at all (storageClassName "" asks for none).
    if (!pvc.spec || (pvc.spec.storageClassName !== undefined && pvc.spec.storageClassName !== null)) return;
    if (pvc.metadata.annotations?.[betaStorageClassAnnotation] !== undefined) return;
    const classes = (await deps.registry('storageclasses', 'storage.k8s.io').list(undefined)) as unknown as { items: StorageClass[] };
    const def = defaultStorageClass(classes.items);
    if (def) pvc.spec.storageClassName = def.metadata.name;
  },
  strategy: (info) =>
    defaultStrategy(info, {
      prepareForCreate(obj) {
        obj.status = { phase: 'Pending' };
      },
      validate: (obj) => validatePersistentVolumeClaim(obj as PersistentVolumeClaim),
      validateUpdate: (obj, old) => validatePersistentVolumeClaimUpdate(obj as PersistentVolumeClaim, old as PersistentVolumeClaim),
      validateStatusUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
    }),
};
