// ClusterRoleBindings (upstream pkg/registry/rbac/clusterrolebinding): grant a ClusterRole
// everywhere; the roleRef is immutable.
import type { ClusterRoleBinding } from '../../api/types.js';
import { defaultBinding } from '../../api/defaults/rbac.js';
import { validateClusterRoleBinding, validateClusterRoleBindingUpdate } from '../../api/validation/rbac-validation.js';
import { clusterRoleBindingPrinter } from '../../api/printers/rbac-printers.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { confirmBindingWrite, onlyGCFieldsChange } from '../authorization/escalation.js';

export const clusterrolebindings: ResourceModule = {
  printer: clusterRoleBindingPrinter,
  defaults: (obj) => defaultBinding(obj as ClusterRoleBinding),
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateClusterRoleBinding(obj as ClusterRoleBinding),
      validateUpdate: (obj, old) => validateClusterRoleBindingUpdate(obj as ClusterRoleBinding, old as ClusterRoleBinding),
    }),
  // A role is bound only by who holds its rules or may bind it (upstream clusterrolebinding/policybased).
  authorizeWrite: (obj, old, user, deps) => {
    if (old && onlyGCFieldsChange(obj, old)) return;
    confirmBindingWrite(deps.authorizer, user, 'clusterrolebindings', obj as ClusterRoleBinding);
  },
};
