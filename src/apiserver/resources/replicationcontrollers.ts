// ReplicationControllers (upstream pkg/registry/core/replicationcontroller): generation tracks
// spec changes; a new one's status shows replicas: 0; a DELETE naming no propagation policy
// orphans the pods (v1's DefaultGarbageCollectionPolicy). Field selectors: status.replicas.
import type { ReplicationController } from '../../api/types.js';
import { defaultReplicationController } from '../../api/defaults/replicationcontroller.js';
import {
  validateReplicationController,
  validateReplicationControllerStatusUpdate,
  validateReplicationControllerUpdate,
} from '../../api/validation/replicationcontroller-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { replicationControllerPrinter } from '../../api/printers/replicationcontroller-printer.js';
import { mapSelectorScale } from './scale-strategy.js';

export const replicationcontrollers: ResourceModule = {
  printer: replicationControllerPrinter,
  scale: mapSelectorScale,
  defaults(obj) {
    if ((obj as ReplicationController).spec) defaultReplicationController(obj as ReplicationController);
  },
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      defaultGarbageCollectionPolicy: 'Orphan',
      prepareForCreate(obj) {
        obj.status = { replicas: 0 };
      },
      validate: (obj) => validateReplicationController(obj as ReplicationController),
      validateUpdate: (obj, old) => validateReplicationControllerUpdate(obj as ReplicationController, old as ReplicationController),
      validateStatusUpdate: (obj, old) => validateReplicationControllerStatusUpdate(obj as ReplicationController, old as ReplicationController),
      fieldSelectors: {
        labels: ['metadata.name', 'metadata.namespace', 'status.replicas'],
        fields: (obj) => ({ 'status.replicas': String((obj as ReplicationController).status?.replicas ?? 0) }),
      },
    }),
};
