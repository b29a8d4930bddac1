import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding } from '../../api/types.js';
import { clusterRoleBindings, clusterRoles } from './bootstrap-policy.js';
import { reconcileClusterRole, reconcileClusterRoleBinding } from './bootstrap-policy-reconcile.js';

const expectedRole = (name: string) => structuredClone(clusterRoles.find((c) => c.metadata.name === name)!);
const expectedBinding = (name: string) => structuredClone(clusterRoleBindings.find((c) => c.metadata.name === name)!);

test('a default role missing a rule gets it back; rules added to it stay', () => {
  const existing: ClusterRole = expectedRole('system:basic-user');
  existing.rules = [existing.rules![0], { verbs: ['get'], apiGroups: [''], resources: ['pods'] }];
  const r = reconcileClusterRole(existing, expectedRole('system:basic-user'));
  assert.equal(r.operation, 'update');
  assert.deepEqual(r.missing, ['{APIGroups:["authentication.k8s.io"], Resources:["selfsubjectreviews"], Verbs:["create"]}']);
  assert.deepEqual(r.object.rules, [...existing.rules, { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] }]);
  assert.equal(reconcileClusterRole(r.object, expectedRole('system:basic-user')).operation, 'none');
});

test('an aggregated role keeps the rules aggregation gave it and gets back a lost selector', () => {
  const existing = expectedRole('view');
  existing.rules = [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }];
  assert.equal(reconcileClusterRole(existing, expectedRole('view')).operation, 'none');
  existing.aggregationRule = { clusterRoleSelectors: [] };
  const r = reconcileClusterRole(existing, expectedRole('view'));
  assert.deepEqual([r.operation, r.object.aggregationRule, r.object.rules], ['update', expectedRole('view').aggregationRule, existing.rules]);
});

test('autoupdate "false" protects an object: the reconciliation says so', () => {
  const existing = expectedRole('system:discovery');
  existing.metadata.annotations = { 'rbac.authorization.kubernetes.io/autoupdate': 'false' };
  existing.rules = [];
  const r = reconcileClusterRole(existing, expectedRole('system:discovery'));
  assert.deepEqual([r.operation, r.isProtected], ['update', true]);
});

test('a binding gets back lost subjects, labels and annotations; a changed roleRef is recreated', () => {
  const existing: ClusterRoleBinding = expectedBinding('system:public-info-viewer');
  existing.subjects = [existing.subjects![1], { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }];
  delete existing.metadata.labels;
  const r = reconcileClusterRoleBinding(existing, expectedBinding('system:public-info-viewer'));
  assert.equal(r.operation, 'update');
  assert.deepEqual(r.object.subjects?.map((s) => s.name), ['system:unauthenticated', 'alice', 'system:authenticated']);
  assert.deepEqual(r.object.metadata.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults' });
  existing.roleRef = { ...existing.roleRef, name: 'view' };
  assert.equal(reconcileClusterRoleBinding(existing, expectedBinding('system:public-info-viewer')).operation, 'recreate');
});
