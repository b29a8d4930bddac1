// The API server's authorizer chain (upstream kube-apiserver's union of authorizers and rule
// resolvers, in its order): system:masters first, then RBAC. The first that allows decides.
import type { PolicyRule } from '../../api/types.js';
import type { UserInfo } from '../user-info.js';
import type { Attributes } from './attributes.js';
import { isPrivileged } from './privileged-groups.js';
import type { AuthorizationResult, RBACAuthorizer } from './rbac-authorizer.js';

export interface Authorizer {
  authorize(a: Attributes): AuthorizationResult;
  /** RulesFor: the rules the user holds in the namespace (for SelfSubjectRulesReview and escalation checks). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] };
  /** The rules a binding's roleRef grants (NotFound when the role does not exist). */
  roleReferenceRules(ref: { kind: string; name: string }, namespace: string): PolicyRule[];
}

export function authorizerChain(rbac: RBACAuthorizer): Authorizer {
  return {
    authorize: (a) => (isPrivileged(a.user) ? { decision: 'Allow', reason: '' } : rbac.authorize(a)),
    rulesFor: (user, namespace) => rbac.rulesFor(user, namespace),
    roleReferenceRules: (ref, namespace) => rbac.roleReferenceRules(ref, namespace),
  };
}
