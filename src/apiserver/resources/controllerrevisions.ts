// ControllerRevisions (upstream pkg/registry/apps/controllerrevision): snapshots written by the
// StatefulSet and DaemonSet controllers; their data never changes, their revision number may
// (a rollback renumbers the revision it returns to).
import type { ControllerRevision } from '../../api/types.js';
import { validateControllerRevision, validateControllerRevisionUpdate } from '../../api/validation/statefulset-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const controllerrevisions: ResourceModule = {
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateControllerRevision(obj as ControllerRevision),
      validateUpdate: (obj, old) => validateControllerRevisionUpdate(obj as ControllerRevision, old as ControllerRevision),
    }),
};
