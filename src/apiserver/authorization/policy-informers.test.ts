import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFor } from '../../client/api-client.js';
import { fileApiFixture } from '../../testing/api-fixture.js';
import { waitFor } from '../../testing/wait.js';
import type { Attributes } from './attributes.js';

const api = fileApiFixture();
const rbac = 'rbac.authorization.k8s.io';
const user = { username: 'system:serviceaccount:default:late', groups: ['system:serviceaccounts', 'system:authenticated'] };
const listSecrets: Attributes = { isResourceRequest: true, user, verb: 'list', apiGroup: '', apiVersion: 'v1', resource: 'secrets', subresource: '', namespace: 'default', name: '' };

test('the bootstrap policy is in the caches before the server serves', () => {
  const anonymous = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
  const r = api.fixture.server.authorizer.authorize({ isResourceRequest: false, user: anonymous, verb: 'get', path: '/version' });
  assert.deepEqual(r, { decision: 'Allow', reason: 'RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"' });
});

test('a new Role and RoleBinding allow once their watch events arrive; deleting the binding takes it back', async () => {
  const { server } = api.fixture;
  assert.equal(server.authorizer.authorize(listSecrets).decision, 'NoOpinion');
  await api.client.create(resourceFor('roles', rbac), 'default', {
    apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: 'secret-reader' }, rules: [{ verbs: ['list'], apiGroups: [''], resources: ['secrets'] }],
  });
  // A binding to a role not yet seen names it as the reason.
  await api.client.create(resourceFor('rolebindings', rbac), 'default', {
    apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: 'late' },
    roleRef: { apiGroup: rbac, kind: 'Role', name: 'secret-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'late', namespace: 'default' }],
  });
  const allowed = await waitFor(() => server.authorizer.authorize(listSecrets).decision === 'Allow' && server.authorizer.authorize(listSecrets), 10_000, 'the binding in the cache');
  assert.equal(allowed.reason, 'RBAC: allowed by RoleBinding "late/default" of Role "secret-reader" to ServiceAccount "late/default"');
  await api.client.delete(resourceFor('rolebindings', rbac), 'default', 'late');
  await waitFor(() => server.authorizer.authorize(listSecrets).decision === 'NoOpinion', 10_000, 'the binding gone from the cache');
});

test('a role is in the cache by the time its create has answered (a binding written next can see it)', async () => {
  // The store publishes a write to its watchers before acknowledging it, and the in-process
  // watch delivers at once: the escalation check of a binding that follows finds the role.
  for (let i = 0; i < 20; i++) {
    await api.client.create(resourceFor('roles', rbac), 'default', { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: `next-${i}` }, rules: [] });
    assert.deepEqual(api.fixture.server.authorizer.roleReferenceRules({ kind: 'Role', name: `next-${i}` }, 'default'), []);
  }
});
