// StorageClasses (upstream pkg/registry/storage/storageclass): provisioner, parameters,
// reclaimPolicy and volumeBindingMode are fixed once created.
import type { StorageClass } from '../../api/types.js';
import { defaultStorageClass } from '../../api/defaults/storage.js';
import { validateStorageClass, validateStorageClassUpdate } from '../../api/validation/storage-validation.js';
import { defaultStrategy } from './default-strategy.js';
import { storageClassPrinter } from '../../api/printers/storageclass-printer.js';
import type { ResourceModule } from './resource-module.js';

export const storageclasses: ResourceModule = {
  printer: storageClassPrinter,
  defaults: (obj) => defaultStorageClass(obj as StorageClass),
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateStorageClass(obj as StorageClass),
      validateUpdate: (obj, old) => validateStorageClassUpdate(obj as StorageClass, old as StorageClass),
    }),
};
