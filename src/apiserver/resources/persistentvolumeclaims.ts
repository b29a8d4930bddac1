// PersistentVolumeClaims (upstream pkg/registry/core/persistentvolumeclaim): a new claim
// starts Pending; admission gives a claim without a class the default StorageClass
// (DefaultStorageClass) and the pvc-protection finalizer (StorageObjectInUseProtection).
import { ApiError } from '../../api/errors.js';
import { quantityOrZero } from '../../api/quantity.js';
import type { PersistentVolumeClaim, StorageClass } from '../../api/types.js';
import { defaultPersistentVolumeClaim } from '../../api/defaults/storage.js';
import { betaStorageClassAnnotation, defaultStorageClass, persistentVolumeClaimClass } from '../../api/storage-helpers.js';
import { validateObjectMetaUpdate } from '../../api/validation/object-meta.js';
import { validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate } from '../../api/validation/storage-validation.js';
import { defaultStrategy } from './default-strategy.js';
import { persistentVolumeClaimPrinter } from '../../api/printers/persistentvolumeclaim-printer.js';
import type { HandlerDeps, ResourceModule } from './resource-module.js';
import { addFinalizer, pvcProtectionFinalizer } from './storage-protection.js';
import { admitClaimLimitRanges } from '../limitranger-admission.js';

export const persistentvolumeclaims: ResourceModule = {
  printer: persistentVolumeClaimPrinter,
  defaults: (obj) => defaultPersistentVolumeClaim(obj as PersistentVolumeClaim),
  async admitCreate(obj, namespace, deps) {
    const pvc = obj as PersistentVolumeClaim;
    await admitClaimLimitRanges(pvc, namespace, deps);
    addFinalizer(pvc, pvcProtectionFinalizer);
    // DefaultStorageClass: only a claim that names no class at all (storageClassName "" asks for none).
    if (!pvc.spec || (pvc.spec.storageClassName !== undefined && pvc.spec.storageClassName !== null)) return;
    if (pvc.metadata.annotations?.[betaStorageClassAnnotation] !== undefined) return;
    const classes = (await deps.registry('storageclasses', 'storage.k8s.io').list(undefined)) as unknown as { items: StorageClass[] };
    const def = defaultStorageClass(classes.items);
    if (def) pvc.spec.storageClassName = def.metadata.name;
  },
  async admitUpdate(obj, old, deps) {
    // LimitRanger checks claims on update too (a resize past a range's max), unless the claim is being deleted.
    if (!old.metadata.deletionTimestamp) await admitClaimLimitRanges(obj as PersistentVolumeClaim, obj.metadata.namespace ?? '', deps);
    await admitResize(obj as PersistentVolumeClaim, old as PersistentVolumeClaim, deps);
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

const claimsResource = { group: '', resource: 'persistentvolumeclaims' };

/**
 * PersistentVolumeClaimResize admission: a larger storage request needs a bound claim whose
 * StorageClass (the same before and after) says allowVolumeExpansion: true. The standard
 * class's local-path volumes cannot grow, so it does not.
 */
async function admitResize(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim, deps: HandlerDeps): Promise<void> {
  const grows = quantityOrZero(pvc.spec?.resources?.requests?.storage) > quantityOrZero(old.spec?.resources?.requests?.storage);
  if (!grows) return;
  const name = pvc.metadata.name ?? '';
  if (old.status?.phase !== 'Bound') throw ApiError.forbidden(claimsResource, name, 'Only bound persistent volume claims can be expanded');
  if (!(await allowResize(pvc, old, deps))) {
    throw ApiError.forbidden(claimsResource, name, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
  }
}

async function allowResize(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim, deps: HandlerDeps): Promise<boolean> {
  const className = persistentVolumeClaimClass(pvc);
  if (!className || className !== persistentVolumeClaimClass(old)) return false;
  const sc = (await deps.registry('storageclasses', 'storage.k8s.io').tryGet(undefined, className)) as StorageClass | undefined;
  return sc?.allowVolumeExpansion === true;
}
