// The RBAC policy as the API server's own registries hold it (upstream reads it from informer
// caches of the same objects).
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../api/types.js';
import type { Registry } from '../registry.js';
import type { RuleSource } from './rbac-authorizer.js';

const group = 'rbac.authorization.k8s.io';

export function registryRuleSource(registry: (resource: string, group: string) => Registry): RuleSource {
  return {
    clusterRoleBindings: async () => (await registry('clusterrolebindings', group).list(undefined)).items as ClusterRoleBinding[],
    roleBindings: async (ns) => (await registry('rolebindings', group).list(ns)).items as RoleBinding[],
    clusterRole: async (name) => (await registry('clusterroles', group).tryGet(undefined, name)) as ClusterRole | undefined,
    role: async (ns, name) => (await registry('roles', group).tryGet(ns, name)) as Role | undefined,
  };
}
