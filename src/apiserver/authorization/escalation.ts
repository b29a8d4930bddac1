// RBAC's escalation prevention (upstream pkg/registry/rbac/escalation_check.go and
// validation.ConfirmNoEscalation, used by the policy-based Role, ClusterRole and binding
// storage): a user writes a role only with rules they hold themselves, unless RBAC lets them
// `escalate` on roles; binds a role only if they hold its rules or may `bind` it. system:masters
// may do both. The checks answer Forbidden on the object being written.
import { isDeepStrictEqual } from 'node:util';
import { ApiError, aggregateMessage } from '../../api/errors.js';
import type { ClusterRole, KubeObject, PolicyRule, RoleRef } from '../../api/types.js';
import type { UserInfo } from '../user-info.js';
import type { Authorizer } from './authorizer.js';
import { isPrivileged } from './privileged-groups.js';
import { compactRules, compactString, goQuoteList, uncoveredRules } from './rule-covers.js';

const rbacGroup = 'rbac.authorization.k8s.io';

/** Every verb on everything: what setting an aggregationRule needs, as it can gather anything. */
const fullAuthority: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** ConfirmNoEscalation: the rules the user lacks in the namespace, said as upstream says them; undefined when they hold all. */
export function escalationError(authorizer: Authorizer, user: UserInfo, namespace: string, rules: readonly PolicyRule[]): string | undefined {
  const { rules: held, errors } = authorizer.rulesFor(user, namespace);
  const missing = uncoveredRules(held, rules);
  if (!missing.length) return undefined;
  // sets.NewString(...).List(): unique and sorted.
  const described = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${described.join('\n')}`;
  if (errors.length) msg += `; resolution errors: [${aggregateMessage(errors)}]`;
  return msg;
}

/** RoleEscalationAuthorized: the `escalate` verb on the role resource (its name only when the request names it). */
function escalateAllowed(authorizer: Authorizer, user: UserInfo, resource: 'roles' | 'clusterroles', namespace: string, name: string): boolean {
  const attrs = { isResourceRequest: true as const, user, verb: 'escalate', apiGroup: rbacGroup, apiVersion: '*', resource, subresource: '', namespace, name };
  return authorizer.authorize(attrs).decision === 'Allow';
}

/** BindingAuthorized: the `bind` verb on the referenced role, in the binding's namespace. */
function bindAllowed(authorizer: Authorizer, user: UserInfo, ref: RoleRef, namespace: string): boolean {
  if (ref.kind !== 'Role' && ref.kind !== 'ClusterRole') return false;
  const resource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
  const attrs = { isResourceRequest: true as const, user, verb: 'bind', apiGroup: ref.apiGroup, apiVersion: '', resource, subresource: '', namespace, name: ref.name };
  return authorizer.authorize(attrs).decision === 'Allow';
}

export interface RoleWrite {
  resource: 'roles' | 'clusterroles';
  role: { metadata: { name?: string; namespace?: string }; rules?: PolicyRule[]; aggregationRule?: ClusterRole['aggregationRule'] };
  /** The name the request's URL gives (none on a create). */
  requestName: string;
}

/** The Role and ClusterRole storage's check on create and update. */
export function confirmRoleWrite(authorizer: Authorizer, user: UserInfo, w: RoleWrite): void {
  const namespace = w.role.metadata.namespace ?? '';
  if (isPrivileged(user) || escalateAllowed(authorizer, user, w.resource, namespace, w.requestName)) return;
  const gr = { group: rbacGroup, resource: w.resource };
  const name = w.role.metadata.name ?? '';
  const err = escalationError(authorizer, user, namespace, w.role.rules ?? []);
  if (err) throw ApiError.forbidden(gr, name, err);
  if (w.role.aggregationRule && escalationError(authorizer, user, namespace, fullAuthority)) {
    throw ApiError.forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule');
  }
}

/** The RoleBinding and ClusterRoleBinding storage's check on create and update. */
export function confirmBindingWrite(authorizer: Authorizer, user: UserInfo, resource: 'rolebindings' | 'clusterrolebindings', binding: { metadata: { name?: string; namespace?: string }; roleRef: RoleRef }): void {
  const namespace = binding.metadata.namespace ?? '';
  if (isPrivileged(user) || bindAllowed(authorizer, user, binding.roleRef, namespace)) return;
  const rules = authorizer.roleReferenceRules(binding.roleRef, namespace);
  const err = escalationError(authorizer, user, namespace, rules);
  if (err) throw ApiError.forbidden({ group: rbacGroup, resource }, binding.metadata.name ?? '', err);
}

/**
 * IsOnlyMutatingGCFields: an update that changes only what the garbage collector and
 * finalizers change (owner references, finalizers, deletion) needs no escalation check, so a
 * role can always be cleaned up. Server-kept fields (resourceVersion, managedFields) are not the writer's.
 */
export function onlyGCFieldsChange(obj: KubeObject, old: KubeObject): boolean {
  const gcFields = ['ownerReferences', 'finalizers', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'resourceVersion', 'managedFields'] as const;
  const strip = (o: KubeObject) => {
    const metadata: Record<string, unknown> = { ...o.metadata };
    for (const f of gcFields) delete metadata[f];
    return { ...o, metadata };
  };
  return isDeepStrictEqual(strip(obj), strip(old));
}
