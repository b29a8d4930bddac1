// The RBAC authorizer (upstream plugin/pkg/auth/authorizer/rbac and pkg/registry/rbac/validation's
// DefaultRuleResolver): walks the ClusterRoleBindings, then the RoleBindings of the request's
// namespace, and for each binding that applies to the user, the rules of its role. The first
// rule that allows the request decides; a binding whose role is missing is remembered as the
// reason a denial gives.
import { ApiError, aggregateMessage } from '../../api/errors.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../api/types.js';
import type { UserInfo } from '../user-info.js';
import type { Attributes } from './attributes.js';
import { ruleAllows } from './rule-matching.js';

/**
 * Where the authorizer reads the policy: in-memory views (the API server's informer caches,
 * policy-informers.ts, or fixtures in tests), so a decision costs no store read.
 */
export interface RuleSource {
  clusterRoleBindings(): readonly ClusterRoleBinding[];
  roleBindings(namespace: string): readonly RoleBinding[];
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
}

export type Decision = 'Allow' | 'NoOpinion';

export interface AuthorizationResult {
  decision: Decision;
  reason: string;
}

/** A binding's role and which binding and subject granted it, to say why a request was allowed. */
interface Grant {
  rules: PolicyRule[];
  source: () => string;
}

const saPrefix = 'system:serviceaccount:';

/** appliesToUser: users by name, groups by membership, service accounts by namespace and name (the binding's namespace by default). */
export function subjectAppliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.username === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.username === `${saPrefix}${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

/** describeSubject: a service account as name/namespace. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

export class RBACAuthorizer {
  constructor(private readonly source: RuleSource) {}

  authorize(a: Attributes): AuthorizationResult {
    const errors: string[] = [];
    for (const grant of this.grants(a.user, a.isResourceRequest ? a.namespace : '', errors)) {
      if (grant.rules.some((r) => ruleAllows(a, r))) return { decision: 'Allow', reason: `RBAC: allowed by ${grant.source()}` };
    }
    return { decision: 'NoOpinion', reason: errors.length ? `RBAC: ${aggregateMessage(errors)}` : '' };
  }

  /** RulesFor: every rule the user has in the namespace (cluster-wide ones included), and whether some role could not be read. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const errors: string[] = [];
    const rules: PolicyRule[] = [];
    for (const grant of this.grants(user, namespace, errors)) rules.push(...grant.rules);
    return { rules, errors };
  }

  /** GetRoleReferenceRules: the rules a binding's roleRef grants in the namespace, or NotFound (the escalation check of a binding). */
  roleReferenceRules(ref: { kind: string; name: string }, namespace: string): PolicyRule[] {
    const rules = this.roleRules(ref, namespace, []);
    if (!rules) throw ApiError.notFound({ group: 'rbac.authorization.k8s.io', resource: ref.kind === 'Role' ? 'roles' : 'clusterroles' }, ref.name);
    return rules;
  }

  private *grants(user: UserInfo, namespace: string, errors: string[]): Generator<Grant> {
    for (const b of this.source.clusterRoleBindings()) {
      const subject = b.subjects?.find((s) => subjectAppliesTo(user, s, ''));
      if (!subject) continue;
      const rules = this.roleRules(b.roleRef, '', errors);
      if (rules) yield { rules, source: () => `ClusterRoleBinding "${b.metadata.name}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(subject, '')}` };
    }
    if (!namespace) return;
    for (const b of this.source.roleBindings(namespace)) {
      const subject = b.subjects?.find((s) => subjectAppliesTo(user, s, namespace));
      if (!subject) continue;
      const rules = this.roleRules(b.roleRef, namespace, errors);
      if (rules) yield { rules, source: () => `RoleBinding "${b.metadata.name}/${namespace}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(subject, namespace)}` };
    }
  }

  /** GetRoleReferenceRules: a Role in the binding's namespace or a ClusterRole. */
  private roleRules(ref: { kind: string; name: string }, namespace: string, errors: string[]): PolicyRule[] | undefined {
    if (ref.kind === 'ClusterRole') {
      const cr = this.source.clusterRole(ref.name);
      if (!cr) errors.push(`clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`);
      return cr ? (cr.rules ?? []) : undefined;
    }
    if (ref.kind === 'Role' && namespace) {
      const role = this.source.role(namespace, ref.name);
      if (!role) errors.push(`role.rbac.authorization.k8s.io "${ref.name}" not found`);
      return role ? (role.rules ?? []) : undefined;
    }
    errors.push(`unsupported role reference kind: "${ref.kind}"`);
    return undefined;
  }
}
