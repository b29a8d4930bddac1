// CustomResourceDefinitions (upstream apiextensions-apiserver pkg/registry/customresourcedefinition):
// a new CRD's status is reset to its storage version as the only stored version; a spec change bumps
// the generation and records a new storage version as stored. The naming and establishing
// controllers (controllers/crd-conditions-controller.ts) write the conditions.
import type { CustomResourceDefinition, KubeObject } from '../../api/types.js';
import { defaultCustomResourceDefinition } from '../../api/defaults/apiextensions.js';
import {
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionStatusUpdate,
  validateCustomResourceDefinitionUpdate,
} from '../../api/validation/apiextensions-validation.js';
import { customResourceCleanupFinalizer } from '../../api/custom-resource-info.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

/** Appends the storage version to status.storedVersions when it is not there yet. */
function recordStorageVersion(crd: CustomResourceDefinition): void {
  const status = (crd.status ??= {});
  const storage = crd.spec.versions?.find((v) => v.storage);
  if (!storage) return;
  status.storedVersions ??= [];
  if (!status.storedVersions.includes(storage.name)) status.storedVersions.push(storage.name);
}


/**
 * Deleting a CRD first marks it Terminating with the cleanup finalizer (upstream's CRD REST
 * Delete); the finalizer controller deletes its objects, then lets it go.
 */
function startDeletion(crd: CustomResourceDefinition): void {
  const meta = crd.metadata;
  if (!meta.finalizers?.includes(customResourceCleanupFinalizer)) meta.finalizers = [...(meta.finalizers ?? []), customResourceCleanupFinalizer];
  const status = (crd.status ??= {});
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'Terminating');
  conditions.push({
    type: 'Terminating',
    status: 'True',
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    reason: 'InstanceDeletionPending',
    message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
  });
  status.conditions = conditions;
}

export const customresourcedefinitions: ResourceModule = {
  defaults: (obj) => defaultCustomResourceDefinition(obj as CustomResourceDefinition),
  strategy: (info) => {
    const base = defaultStrategy(info);
    return defaultStrategy(info, {
      tracksGeneration: true,
      prepareForCreate(obj: KubeObject) {
        obj.status = {};
        recordStorageVersion(obj as CustomResourceDefinition);
      },
      prepareForUpdate(obj: KubeObject, old: KubeObject, subresource?: string) {
        base.prepareForUpdate(obj, old, subresource);
        if (!subresource) recordStorageVersion(obj as CustomResourceDefinition);
      },
      prepareForDelete: (obj) => startDeletion(obj as CustomResourceDefinition),
      validate: (obj) => validateCustomResourceDefinition(obj as CustomResourceDefinition),
      validateUpdate: (obj, old) => validateCustomResourceDefinitionUpdate(obj as CustomResourceDefinition, old as CustomResourceDefinition),
      validateStatusUpdate: (obj, old) => validateCustomResourceDefinitionStatusUpdate(obj as CustomResourceDefinition, old as CustomResourceDefinition),
    });
  },
};
