// PersistentVolumes (upstream pkg/registry/core/persistentvolume): a new volume starts
// Pending with lastPhaseTransitionTime now, and a status write that changes the phase stamps
// it again; new volumes get the pv-protection finalizer (StorageObjectInUseProtection).
import type { PersistentVolume } from '../../api/types.js';
import { defaultPersistentVolume } from '../../api/defaults/storage.js';
import { rfc3339 } from '../../api/time.js';
import { validatePersistentVolume, validatePersistentVolumeUpdate } from '../../api/validation/storage-validation.js';
import { validateObjectMetaUpdate } from '../../api/validation/object-meta.js';
import { defaultStrategy } from './default-strategy.js';
import { persistentVolumePrinter } from '../../api/printers/persistentvolume-printer.js';
import type { ResourceModule } from './resource-module.js';
import { addFinalizer, pvProtectionFinalizer } from './storage-protection.js';

export const persistentvolumes: ResourceModule = {
  printer: persistentVolumePrinter,
  defaults: (obj) => defaultPersistentVolume(obj as PersistentVolume),
  async admitCreate(obj) {
    addFinalizer(obj, pvProtectionFinalizer);
  },
  strategy(info) {
    const strategy = defaultStrategy(info, {
      prepareForCreate(obj) {
        obj.status = { phase: 'Pending', lastPhaseTransitionTime: rfc3339(new Date()) };
      },
      validate: (obj) => validatePersistentVolume(obj as PersistentVolume),
      validateUpdate: (obj, old) => validatePersistentVolumeUpdate(obj as PersistentVolume, old as PersistentVolume),
      validateStatusUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
      fieldSelectors: {},
    });
    const status = strategy.subresources!.status;
    strategy.subresources = {
      ...strategy.subresources,
      status: {
        prepareForUpdate(obj, old) {
          const next = status.prepareForUpdate(obj, old) as PersistentVolume;
          const prev = old as PersistentVolume;
          // The phase changed and the writer did not set the time itself: stamp it.
          if (next.status && next.status.phase !== prev.status?.phase && next.status.lastPhaseTransitionTime === prev.status?.lastPhaseTransitionTime) {
            next.status.lastPhaseTransitionTime = rfc3339(new Date());
          }
          return next;
        },
        validateUpdate: status.validateUpdate,
      },
    };
    return strategy;
  },
};
