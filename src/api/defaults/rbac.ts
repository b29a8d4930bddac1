// RBAC defaults (pkg/apis/rbac/v1/defaults.go): a binding's roleRef and its User and Group
// subjects are in the RBAC group unless they say otherwise.
import type { ClusterRoleBinding, RoleBinding, Subject } from '../types.js';

const rbacGroup = 'rbac.authorization.k8s.io';

/** SetDefaults_Subject: only users and groups get the group; a ServiceAccount's is the core "". */
export function defaultSubject(s: Subject): void {
  if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = rbacGroup;
}

/** SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding. */
export function defaultBinding(b: RoleBinding | ClusterRoleBinding): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = rbacGroup;
  for (const s of b.subjects ?? []) defaultSubject(s);
}
