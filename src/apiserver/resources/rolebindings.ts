// RoleBindings (upstream pkg/registry/rbac/rolebinding): grant a Role or ClusterRole in one
// namespace; the roleRef is immutable.
import type { RoleBinding } from '../../api/types.js';
import { defaultBinding } from '../../api/defaults/rbac.js';
import { validateRoleBinding, validateRoleBindingUpdate } from '../../api/validation/rbac-validation.js';
import { roleBindingPrinter } from '../../api/printers/rbac-printers.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { confirmBindingWrite, onlyGCFieldsChange } from '../authorization/escalation.js';

export const rolebindings: ResourceModule = {
  printer: roleBindingPrinter,
  defaults: (obj) => defaultBinding(obj as RoleBinding),
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateRoleBinding(obj as RoleBinding),
      validateUpdate: (obj, old) => validateRoleBindingUpdate(obj as RoleBinding, old as RoleBinding),
    }),
  // A role is bound only by who holds its rules or may bind it (upstream rolebinding/policybased).
  authorizeWrite: (obj, old, user, deps) => {
    if (old && onlyGCFieldsChange(obj, old)) return;
    confirmBindingWrite(deps.authorizer, user, 'rolebindings', obj as RoleBinding);
  },
};
