import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../api/types.js';
import type { Attributes } from './attributes.js';
import { RBACAuthorizer, type RuleSource } from './rbac-authorizer.js';
import { clusterRoleBindings, clusterRoles } from './bootstrap-policy.js';
import { aggregatedRules } from '../../controllers/clusterrole-aggregation-controller.js';
import { adminUser } from '../user-info.js';

const g = 'rbac.authorization.k8s.io';

function source(crs: ClusterRole[], crbs: ClusterRoleBinding[], roles: Role[] = [], rbs: RoleBinding[] = []): RuleSource {
  return {
    clusterRoleBindings: () => crbs,
    roleBindings: (ns) => rbs.filter((b) => b.metadata.namespace === ns),
    clusterRole: (name) => crs.find((c) => c.metadata.name === name),
    role: (ns, name) => roles.find((r) => r.metadata.namespace === ns && r.metadata.name === name),
  };
}

/** The bootstrap policy with the aggregated roles filled in, as the controller leaves them. */
function bootstrapped(): ClusterRole[] {
  return clusterRoles.map((c) => (c.aggregationRule ? { ...c, rules: aggregatedRules(c, clusterRoles) } : c));
}

const sa = { username: 'system:serviceaccount:default:sa', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] };
const req = (user: typeof sa, verb: string, resource: string, namespace = 'default', apiGroup = '', name = ''): Attributes => ({
  isResourceRequest: true, user, verb, apiGroup, apiVersion: 'v1', resource, subresource: '', namespace, name,
});

test('the admin user (kubeadm:cluster-admins) and system:masters may do anything', async () => {
  const authz = new RBACAuthorizer(source(bootstrapped(), clusterRoleBindings));
  const r = await authz.authorize(req(adminUser, 'delete', 'nodes', '', '', 'n1'));
  assert.deepEqual(r, { decision: 'Allow', reason: 'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"' });
  const masters = await authz.authorize({ isResourceRequest: false, user: { username: 'x', groups: ['system:masters'] }, verb: 'post', path: '/anything' });
  assert.equal(masters.decision, 'Allow');
});

test('an authenticated user gets discovery and self reviews, nothing else', async () => {
  const authz = new RBACAuthorizer(source(bootstrapped(), clusterRoleBindings));
  assert.equal((await authz.authorize({ isResourceRequest: false, user: sa, verb: 'get', path: '/apis/apps/v1' })).decision, 'Allow');
  assert.equal((await authz.authorize(req(sa, 'create', 'selfsubjectaccessreviews', '', 'authorization.k8s.io'))).decision, 'Allow');
  assert.deepEqual(await authz.authorize(req(sa, 'list', 'pods')), { decision: 'NoOpinion', reason: '' });
});

test('view bound in a namespace: read pods there, not secrets, not writes, not other namespaces', async () => {
  const rb: RoleBinding = { metadata: { name: 'sa-view', namespace: 'default' }, roleRef: { apiGroup: g, kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] };
  const authz = new RBACAuthorizer(source(bootstrapped(), clusterRoleBindings, [], [rb]));
  assert.deepEqual(await authz.authorize(req(sa, 'list', 'pods')), {
    decision: 'Allow',
    reason: 'RBAC: allowed by RoleBinding "sa-view/default" of ClusterRole "view" to ServiceAccount "sa/default"',
  });
  assert.equal((await authz.authorize(req(sa, 'get', 'secrets'))).decision, 'NoOpinion');
  assert.equal((await authz.authorize(req(sa, 'delete', 'pods', 'default', '', 'web'))).decision, 'NoOpinion');
  assert.equal((await authz.authorize(req(sa, 'list', 'pods', 'other'))).decision, 'NoOpinion');
  // metrics-server's aggregated reader: view may read the pods' metrics (kubectl top pods).
  assert.equal((await authz.authorize(req(sa, 'list', 'pods', 'default', 'metrics.k8s.io'))).decision, 'Allow');
});

test('a Role in the namespace; a binding to a missing role is the denial reason', async () => {
  const role: Role = { metadata: { name: 'r', namespace: 'ns' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }] };
  const rbs: RoleBinding[] = [
    { metadata: { name: 'b', namespace: 'ns' }, roleRef: { apiGroup: g, kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', apiGroup: g, name: 'alice' }] },
    { metadata: { name: 'gone', namespace: 'ns' }, roleRef: { apiGroup: g, kind: 'ClusterRole', name: 'missing' }, subjects: [{ kind: 'Group', apiGroup: g, name: 'devs' }] },
  ];
  const authz = new RBACAuthorizer(source([], [], [role], rbs));
  const alice = { username: 'alice', groups: ['devs'] };
  assert.equal((await authz.authorize(req(alice, 'get', 'configmaps', 'ns', '', 'cfg'))).decision, 'Allow');
  assert.deepEqual(await authz.authorize(req(alice, 'get', 'configmaps', 'ns', '', 'other')), {
    decision: 'NoOpinion',
    reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found',
  });
});

test('aggregation: admin collects edit, edit collects view, view collects system:aggregate-to-view and the metrics reader', () => {
  const roles = bootstrapped();
  const byName = (n: string) => roles.find((c) => c.metadata.name === n)!;
  const view = byName('view').rules!;
  const sources = [...byName('system:aggregate-to-view').rules!, ...byName('system:aggregated-metrics-reader').rules!];
  assert.equal(view.length, sources.length);
  assert.ok(sources.every((r) => view.includes(r)));
  const edit = byName('edit').rules!;
  assert.ok(byName('system:aggregate-to-edit').rules!.every((r) => edit.includes(r)));
  assert.ok(!edit.some((r) => r.resources?.includes('rolebindings')));
  assert.ok(byName('admin').rules!.some((r) => r.resources?.includes('rolebindings')));
});
