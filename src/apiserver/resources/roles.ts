// Roles (upstream pkg/registry/rbac/role): a namespace's permissions, validated as upstream does.
import type { Role } from '../../api/types.js';
import { validateRole, validateRoleUpdate } from '../../api/validation/rbac-validation.js';
import { rolePrinter } from '../../api/printers/rbac-printers.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { confirmRoleWrite, onlyGCFieldsChange } from '../authorization/escalation.js';

export const roles: ResourceModule = {
  printer: rolePrinter,
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateRole(obj as Role),
      validateUpdate: (obj, old) => validateRoleUpdate(obj as Role, old as Role),
    }),
  // Rules the writer does not hold are refused unless they may escalate (upstream role/policybased).
  authorizeWrite: (obj, old, user, deps) => {
    if (old && onlyGCFieldsChange(obj, old)) return;
    confirmRoleWrite(deps.authorizer, user, { resource: 'roles', role: obj as Role, requestName: old ? (obj.metadata.name ?? '') : '' });
  },
};
