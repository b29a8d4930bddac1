// Role, ClusterRole, RoleBinding and ClusterRoleBinding validation (pkg/apis/rbac/validation),
// with upstream's messages and paths.
import { field, type FieldError } from '../errors.js';
import type { AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from '../types.js';
import { nameIsDNSSubdomain, type NameValidator } from './names.js';
import { jsonEqual, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { goStructLiteral } from './go-struct-literal.js';

export const rbacGroup = 'rbac.authorization.k8s.io';

/**
 * ValidateRBACName is path.ValidatePathSegmentName: RBAC names only need to be a path
 * segment, so "system:masters"-style names with colons are valid.
 */
export const nameIsPathSegment: NameValidator = (name, prefix) => {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
};

/** ValidatePolicyRule: resource rules name groups and resources; non-resource rules only paths, and only cluster-wide. */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.verbs?.length) errs.push(field.required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) errs.push(field.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(field.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(field.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!rule.resources?.length) errs.push(field.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

const validateRules = (rules: PolicyRule[] | undefined, namespaced: boolean) => (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));

export function validateRole(role: Role): FieldError[] {
  return [...validateObjectMeta(role.metadata, true, nameIsPathSegment), ...validateRules(role.rules, true)];
}

export function validateRoleUpdate(role: Role, old: Role): FieldError[] {
  return [...validateRole(role), ...validateObjectMetaUpdate(role.metadata, old.metadata)];
}

function validateAggregationRule(rule: AggregationRule | undefined): FieldError[] {
  if (!rule) return [];
  const path = 'aggregationRule.clusterRoleSelectors';
  const errs: FieldError[] = [];
  if (!rule.clusterRoleSelectors?.length) errs.push(field.required(path, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  (rule.clusterRoleSelectors ?? []).forEach((sel, i) => errs.push(...validateLabelSelector(sel, `${path}[${i}]`)));
  return errs;
}

export function validateClusterRole(role: ClusterRole): FieldError[] {
  return [...validateObjectMeta(role.metadata, false, nameIsPathSegment), ...validateRules(role.rules, false), ...validateAggregationRule(role.aggregationRule)];
}

export function validateClusterRoleUpdate(role: ClusterRole, old: ClusterRole): FieldError[] {
  return [...validateClusterRole(role), ...validateObjectMetaUpdate(role.metadata, old.metadata)];
}

/** ValidateRoleBindingSubject: a service account needs a namespace outside a namespaced binding; users and groups are RBAC's. */
export function validateSubject(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(field.required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...nameIsDNSSubdomain(s.name, false).map((m) => field.invalid(`${path}.name`, s.name, m)));
      if (s.apiGroup) errs.push(field.notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(field.required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== rbacGroup) errs.push(field.notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [rbacGroup]));
      break;
    default:
      errs.push(field.notSupported(`${path}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateRoleRef(ref: RoleRef | undefined, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (ref?.apiGroup !== rbacGroup) errs.push(field.notSupported('roleRef.apiGroup', ref?.apiGroup ?? '', [rbacGroup]));
  if (!kinds.includes(ref?.kind ?? '')) errs.push(field.notSupported('roleRef.kind', ref?.kind ?? '', kinds));
  if (!ref?.name) errs.push(field.required('roleRef.name'));
  else errs.push(...nameIsPathSegment(ref.name, false).map((m) => field.invalid('roleRef.name', ref.name, m)));
  return errs;
}

type Binding = RoleBinding | ClusterRoleBinding;

function validateBinding(b: Binding, namespaced: boolean): FieldError[] {
  return [
    ...validateObjectMeta(b.metadata, namespaced, nameIsPathSegment),
    ...validateRoleRef(b.roleRef, namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']),
    ...(b.subjects ?? []).flatMap((s, i) => validateSubject(s, namespaced, `subjects[${i}]`)),
  ];
}

/** A binding's role is fixed: granting a different role is a new binding (and a new authorization check). */
function validateBindingUpdate(b: Binding, old: Binding, namespaced: boolean): FieldError[] {
  const errs = [...validateBinding(b, namespaced), ...validateObjectMetaUpdate(b.metadata, old.metadata)];
  if (!jsonEqual(b.roleRef, old.roleRef)) errs.push(field.invalid('roleRef', goStructLiteral('rbac.v1.RoleRef', b.roleRef), 'cannot change roleRef'));
  return errs;
}

export const validateRoleBinding = (b: RoleBinding) => validateBinding(b, true);
export const validateRoleBindingUpdate = (b: RoleBinding, old: RoleBinding) => validateBindingUpdate(b, old, true);
export const validateClusterRoleBinding = (b: ClusterRoleBinding) => validateBinding(b, false);
export const validateClusterRoleBindingUpdate = (b: ClusterRoleBinding, old: ClusterRoleBinding) => validateBindingUpdate(b, old, false);
