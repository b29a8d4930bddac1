import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { aggregatedRules } from '../../controllers/clusterrole-aggregation-controller.js';
import { authorizerChain } from './authorizer.js';
import { clusterRoleBindings, clusterRoles } from './bootstrap-policy.js';
import { confirmBindingWrite, confirmRoleWrite, onlyGCFieldsChange } from './escalation.js';
import { RBACAuthorizer } from './rbac-authorizer.js';

const g = 'rbac.authorization.k8s.io';
const sa = { username: 'system:serviceaccount:team:ci', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] };

/** The bootstrap policy, plus ci bound to view and to a role that may also write roles in team. */
function authorizer(extraRoles: Role[] = [], extraBindings: RoleBinding[] = []) {
  const crs: ClusterRole[] = clusterRoles.map((c) => (c.aggregationRule ? { ...c, rules: aggregatedRules(c, clusterRoles) } : c));
  const roles: Role[] = [{ metadata: { name: 'role-writer', namespace: 'team' }, rules: [{ verbs: ['get', 'list', 'create', 'update', 'patch'], apiGroups: [g], resources: ['roles', 'rolebindings'] }] }, ...extraRoles];
  const subjects = [{ kind: 'ServiceAccount', name: 'ci', namespace: 'team' }];
  const rbs: RoleBinding[] = [
    { metadata: { name: 'ci-view', namespace: 'team' }, roleRef: { apiGroup: g, kind: 'ClusterRole', name: 'view' }, subjects },
    { metadata: { name: 'ci-roles', namespace: 'team' }, roleRef: { apiGroup: g, kind: 'Role', name: 'role-writer' }, subjects },
    ...extraBindings,
  ];
  const crbs: ClusterRoleBinding[] = clusterRoleBindings;
  return authorizerChain(
    new RBACAuthorizer({
      clusterRoleBindings: () => crbs,
      roleBindings: (ns) => rbs.filter((b) => b.metadata.namespace === ns),
      clusterRole: (name) => crs.find((c) => c.metadata.name === name),
      role: (ns, name) => roles.find((r) => r.metadata.namespace === ns && r.metadata.name === name),
    }),
  );
}

const secretsRole: Role = { metadata: { name: 'secret-reader', namespace: 'team' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }] };

function forbiddenMessage(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError && e.code === 403, String(e));
    return e.message;
  }
  assert.fail('not refused');
}

test('a role with rules the writer does not hold is Forbidden with upstream message', () => {
  const msg = forbiddenMessage(() => confirmRoleWrite(authorizer(), sa, { resource: 'roles', role: secretsRole, requestName: '' }));
  assert.equal(
    msg,
    'roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "system:serviceaccount:team:ci" (groups=["system:serviceaccounts" "system:serviceaccounts:team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
  );
  // Rules it holds (view's) it may grant.
  confirmRoleWrite(authorizer(), sa, { resource: 'roles', role: { metadata: { name: 'pods', namespace: 'team' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }, requestName: '' });
});

test('the escalate verb on roles, or system:masters, lifts the check', () => {
  const escalate: Role = { metadata: { name: 'escalator', namespace: 'team' }, rules: [{ verbs: ['escalate'], apiGroups: [g], resources: ['roles'] }] };
  const bound: RoleBinding = { metadata: { name: 'ci-escalate', namespace: 'team' }, roleRef: { apiGroup: g, kind: 'Role', name: 'escalator' }, subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'team' }] };
  confirmRoleWrite(authorizer([escalate], [bound]), sa, { resource: 'roles', role: secretsRole, requestName: '' });
  confirmRoleWrite(authorizer(), { username: 'root', groups: ['system:masters'] }, { resource: 'roles', role: secretsRole, requestName: '' });
});

test('an aggregationRule needs cluster-admin', () => {
  const role = { metadata: { name: 'agg' }, rules: [], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } };
  const msg = forbiddenMessage(() => confirmRoleWrite(authorizer(), sa, { resource: 'clusterroles', role, requestName: '' }));
  assert.equal(msg, 'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule');
});

test('binding a role needs its rules or the bind verb on it; a missing role is NotFound', () => {
  const binding = (kind: string, name: string): RoleBinding => ({ metadata: { name: 'b', namespace: 'team' }, roleRef: { apiGroup: g, kind, name }, subjects: [{ kind: 'User', name: 'x' }] });
  confirmBindingWrite(authorizer(), sa, 'rolebindings', binding('ClusterRole', 'view'));
  const msg = forbiddenMessage(() => confirmBindingWrite(authorizer(), sa, 'rolebindings', binding('ClusterRole', 'edit')));
  assert.match(msg, /^rolebindings\.rbac\.authorization\.k8s\.io "b" is forbidden: user "system:serviceaccount:team:ci" \(groups=\[.*\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["configmaps"\], Verbs:\["create" "delete" "deletecollection" "patch" "update"\]\}\n/);
  const bind: Role = { metadata: { name: 'binder', namespace: 'team' }, rules: [{ verbs: ['bind'], apiGroups: [g], resources: ['clusterroles'], resourceNames: ['edit'] }] };
  const bound: RoleBinding = { metadata: { name: 'ci-bind', namespace: 'team' }, roleRef: { apiGroup: g, kind: 'Role', name: 'binder' }, subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'team' }] };
  confirmBindingWrite(authorizer([bind], [bound]), sa, 'rolebindings', binding('ClusterRole', 'edit'));
  assert.throws(() => confirmBindingWrite(authorizer(), sa, 'rolebindings', binding('Role', 'nope')), (e: ApiError) => e.code === 404 && e.message === 'roles.rbac.authorization.k8s.io "nope" not found');
});

test('an update that only changes owner references or finalizers is not checked', () => {
  const old = { ...secretsRole, metadata: { ...secretsRole.metadata, resourceVersion: '5' } };
  assert.equal(onlyGCFieldsChange({ ...old, metadata: { ...old.metadata, finalizers: ['x'] } }, old), true);
  assert.equal(onlyGCFieldsChange({ ...old, rules: [] }, old), false);
});
