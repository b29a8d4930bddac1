// The strategy every resource starts from: validation through src/api/validation, status
// kept apart when the resource has a status subresource, generation for workload kinds.
import type { KubeObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../../api/validation/index.js';
import type { Strategy } from '../strategy.js';

/** Kinds whose metadata.generation tracks spec changes (the workload controllers' observedGeneration). */
const generationKinds = new Set(['Deployment', 'ReplicaSet']);
/** Kinds that PUT may create (upstream AllowCreateOnUpdate). */
const createOnUpdateKinds = new Set(['Event', 'Endpoints', 'Lease', 'Node']);

export function defaultStrategy(info: ResourceInfo, overrides: Partial<Strategy> = {}): Strategy {
  const hasStatus = info.subresources.some((s) => s.name === 'status');
  const base: Strategy = {
    hasStatus,
    tracksGeneration: generationKinds.has(info.kind),
    allowCreateOnUpdate: createOnUpdateKinds.has(info.kind),
    prepareForCreate(obj: KubeObject) {
      // A new object's status is the controllers' to write, not the creator's: it starts
      // empty (ReplicaSetStatus.replicas is not omitempty upstream, so it shows as 0).
      if (hasStatus && info.kind !== 'Node') obj.status = info.kind === 'ReplicaSet' ? { replicas: 0 } : {};
    },
    prepareForUpdate() {},
    validate: (obj) => validateCreate(info, obj),
    validateUpdate: (obj, old) => validateUpdate(info, obj, old),
    validateStatusUpdate: (obj, old) => validateStatusUpdate(info, obj, old),
  };
  return { ...base, ...overrides };
}
