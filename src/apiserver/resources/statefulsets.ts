// StatefulSets (upstream pkg/registry/apps/statefulset): metadata.generation tracks spec
// changes for the controller's observedGeneration; a new set's status shows replicas: 0 and
// availableReplicas: 0 (neither is omitempty upstream); rollingUpdate.maxUnavailable is dropped
// while the MaxUnavailableStatefulSet gate is off (alpha in 1.33) unless the stored set uses it.
// apps/v1 registers no field-label conversion, so only metadata.name and metadata.namespace select.
import type { KubeObject, StatefulSet } from '../../api/types.js';
import { defaultStatefulSet } from '../../api/defaults/statefulset.js';
import { validateStatefulSet, validateStatefulSetStatusUpdate, validateStatefulSetUpdate } from '../../api/validation/statefulset-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

function maxUnavailableInUse(set: StatefulSet | undefined): boolean {
  return set?.spec?.updateStrategy?.rollingUpdate?.maxUnavailable !== undefined;
}

/** dropStatefulSetDisabledFields */
function dropDisabledFields(obj: KubeObject, old?: KubeObject): void {
  const set = obj as StatefulSet;
  if (maxUnavailableInUse(old as StatefulSet | undefined)) return;
  delete set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable;
}

export const statefulsets: ResourceModule = {
  defaults(obj) {
    if ((obj as StatefulSet).spec) defaultStatefulSet(obj as StatefulSet);
  },
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      prepareForCreate(obj) {
        obj.status = { replicas: 0, availableReplicas: 0 };
        dropDisabledFields(obj);
      },
      prepareForUpdate(obj, old) {
        dropDisabledFields(obj, old);
      },
      validate: (obj) => validateStatefulSet(obj as StatefulSet),
      validateUpdate: (obj, old) => validateStatefulSetUpdate(obj as StatefulSet, old as StatefulSet),
      validateStatusUpdate: (obj, old) => validateStatefulSetStatusUpdate(obj as StatefulSet, old as StatefulSet),
    }),
};
