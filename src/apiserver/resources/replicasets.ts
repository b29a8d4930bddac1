// ReplicaSets (upstream pkg/registry/apps/replicaset): metadata.generation tracks spec
// changes; a new ReplicaSet's status shows replicas: 0 (ReplicaSetStatus.replicas is not
// omitempty upstream). The registry exposes status.replicas, but apps/v1 registers no
// field-label conversion, so only metadata.name and metadata.namespace select.
import type { ReplicaSet } from '../../api/types.js';
import { defaultReplicaSet } from '../../api/defaults/replicaset.js';
import { validateReplicaSet, validateReplicaSetUpdate, validateWorkloadStatusUpdate } from '../../api/validation/apps-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { replicaSetPrinter } from '../../api/printers/replicaset-printer.js';
import { labelSelectorScale } from './scale-strategy.js';

export const replicasets: ResourceModule = {
  printer: replicaSetPrinter,
  scale: labelSelectorScale,
  defaults(obj) {
    if ((obj as ReplicaSet).spec) defaultReplicaSet(obj as ReplicaSet);
  },
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      prepareForCreate(obj) {
        obj.status = { replicas: 0 };
      },
      validate: (obj) => validateReplicaSet(obj as ReplicaSet),
      validateUpdate: (obj, old) => validateReplicaSetUpdate(obj as ReplicaSet, old as ReplicaSet),
      validateStatusUpdate: (obj, old) => validateWorkloadStatusUpdate(obj as ReplicaSet, old as ReplicaSet),
      fieldSelectors: { fields: (obj) => ({ 'status.replicas': String((obj as ReplicaSet).status?.replicas ?? 0) }) },
    }),
};
