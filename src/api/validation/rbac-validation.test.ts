import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { ClusterRole, ClusterRoleBinding, RoleBinding } from '../types.js';
import { validateClusterRole, validateClusterRoleBinding, validateRoleBindingUpdate, validatePolicyRule, nameIsPathSegment } from './rbac-validation.js';

const msgs = (errs: Parameters<typeof fieldErrorString>[0][]) => errs.map(fieldErrorString);

test('policy rules: verbs required; resource rules need groups and resources; non-resource URLs only cluster-wide', () => {
  assert.deepEqual(msgs(validatePolicyRule({ verbs: [] }, false, 'rules[0]')), [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[0].resources: Required value: resource rules must supply at least one resource',
  ]);
  assert.deepEqual(msgs(validatePolicyRule({ verbs: ['get'], nonResourceURLs: ['/healthz'], resources: ['pods'] }, true, 'rules[0]')), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: rules cannot apply to both regular resources and non-resource URLs',
  ]);
});

test('RBAC names are path segments: colons allowed, slashes and dot names not', () => {
  assert.deepEqual(nameIsPathSegment('system:masters', false), []);
  assert.deepEqual(nameIsPathSegment('..', false), ["may not be '..'"]);
  assert.deepEqual(nameIsPathSegment('a/b%', false), ["may not contain '/'", "may not contain '%'"]);
});

test('an aggregation rule needs a selector', () => {
  const cr: ClusterRole = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [] } };
  assert.deepEqual(msgs(validateClusterRole(cr)), ['aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil']);
});

test('cluster role bindings: ClusterRole only; service accounts need a namespace; unknown subject kinds', () => {
  const b: ClusterRoleBinding = {
    metadata: { name: 'b' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    subjects: [{ kind: 'ServiceAccount', name: 'sa' }, { kind: 'Robot', name: 'x' }, { kind: 'User', name: 'u', apiGroup: '' }],
  };
  assert.deepEqual(msgs(validateClusterRoleBinding(b)), [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    'subjects[0].namespace: Required value',
    'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    'subjects[2].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
  ]);
});

test('a role binding keeps its roleRef', () => {
  const old: RoleBinding = { metadata: { name: 'b', namespace: 'default', resourceVersion: '1' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } };
  const next: RoleBinding = { ...old, roleRef: { ...old.roleRef, name: 'edit' } };
  assert.deepEqual(msgs(validateRoleBindingUpdate(next, old)), [
    'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
  ]);
});
