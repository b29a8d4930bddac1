// ClusterRoles (upstream pkg/registry/rbac/clusterrole): cluster-wide permissions; an aggregated
// one's rules are the clusterrole-aggregation controller's to write.
import type { ClusterRole } from '../../api/types.js';
import { validateClusterRole, validateClusterRoleUpdate } from '../../api/validation/rbac-validation.js';
import { clusterRolePrinter } from '../../api/printers/rbac-printers.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { confirmRoleWrite, onlyGCFieldsChange } from '../authorization/escalation.js';

export const clusterroles: ResourceModule = {
  printer: clusterRolePrinter,
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateClusterRole(obj as ClusterRole),
      validateUpdate: (obj, old) => validateClusterRoleUpdate(obj as ClusterRole, old as ClusterRole),
    }),
  // Rules the writer does not hold are refused unless they may escalate (upstream clusterrole/policybased).
  authorizeWrite: (obj, old, user, deps) => {
    if (old && onlyGCFieldsChange(obj, old)) return;
    confirmRoleWrite(deps.authorizer, user, { resource: 'clusterroles', role: obj as ClusterRole, requestName: old ? (obj.metadata.name ?? '') : '' });
  },
};
