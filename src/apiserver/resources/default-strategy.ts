// The strategy every resource starts from (upstream: the generic registry's defaults):
// ObjectMeta validation only, a status subresource's status started empty on create and
// written through its own subresource strategy, metav1's default field selectors. A
// resource's module overrides what differs.
import type { FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { nameIsDNSSubdomain } from '../../api/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/object-meta.js';
import type { Strategy, SubresourceStrategy } from '../strategy.js';

export function defaultStrategy(info: ResourceInfo, overrides: Partial<Strategy> = {}): Strategy {
  const hasStatus = info.subresources.some((s) => s.name === 'status');
  const base: Strategy = {
    hasStatus,
    tracksGeneration: false,
    allowCreateOnUpdate: false,
    prepareForCreate(obj: KubeObject) {
      // A new object's status is the controllers' to write, not the creator's: it starts empty.
      if (hasStatus) obj.status = {};
    },
    prepareForUpdate() {},
    // Names are DNS subdomains unless a resource's module says otherwise (upstream NameIsDNSSubdomain).
    validate: (obj) => validateObjectMeta(obj.metadata, info.namespaced, nameIsDNSSubdomain),
    validateUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
    validateStatusUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
    fieldSelectors: {},
  };
  const strategy = { ...base, ...overrides };
  if (hasStatus) strategy.subresources = { status: statusStrategy(strategy), ...strategy.subresources };
  return strategy;
}

/**
 * The status subresource (upstream: each resource's statusStrategy): a status write keeps
 * the stored spec; metadata changes other than labels and ownerReferences go through, as
 * upstream's status strategies allow (the deployment controller records its revision
 * annotation this way).
 */
function statusStrategy(strategy: Strategy): SubresourceStrategy {
  return {
    prepareForUpdate(obj: KubeObject, old: KubeObject): KubeObject {
      const merged: KubeObject = { ...old, status: obj.status };
      merged.metadata = { ...obj.metadata, labels: old.metadata.labels, ownerReferences: old.metadata.ownerReferences };
      if (!merged.metadata.labels) delete merged.metadata.labels;
      if (!merged.metadata.ownerReferences) delete merged.metadata.ownerReferences;
      return merged;
    },
    validateUpdate: (obj, old) => strategy.validateStatusUpdate(obj, old),
    ...(strategy.validateAsync ? { validateAsync: strategy.validateAsync } : {}),
  };
}

/**
 * validateUpdate for resources whose update rules are their create rules (upstream
 * ValidateXUpdate calling ValidateX): ObjectMeta update rules plus the create rules
 * outside metadata.
 */
export function createRulesOnUpdate(validate: (obj: KubeObject) => FieldError[]): Strategy['validateUpdate'] {
  return (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validate(obj).filter((e) => !e.field.startsWith('metadata.'))];
}

/** validateUpdate as ObjectMeta's update rules followed by the resource's own. */
export function metaUpdateThen<T extends KubeObject>(validate: (obj: T, old: T) => FieldError[]): Strategy['validateUpdate'] {
  return (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validate(obj as T, old as T)];
}
