import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attributes } from './attributes.js';
import { forbidden } from './forbidden.js';
import { impersonate } from './impersonation.js';

const admin = { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] };

test('no impersonation headers: the requester', async () => {
  assert.equal(await impersonate(admin, {}, async () => assert.fail('no check')), admin);
});

test('a service account, with groups, uid and extra: each checked, then the account with its groups', async () => {
  const asked: string[] = [];
  const allow = async (a: Attributes) => {
    assert.ok(a.isResourceRequest);
    asked.push(`${a.verb} ${a.apiGroup}/${a.resource}${a.subresource ? '/' + a.subresource : ''} ${a.namespace}/${a.name}`);
  };
  const user = await impersonate(
    admin,
    { 'impersonate-user': 'system:serviceaccount:ns1:robot', 'impersonate-group': 'devs, ops', 'impersonate-uid': 'u-1', 'impersonate-extra-scopes': 'view' },
    allow,
  );
  assert.deepEqual(asked, [
    'impersonate /serviceaccounts ns1/robot',
    'impersonate /groups /devs',
    'impersonate /groups /ops',
    'impersonate authentication.k8s.io/userextras/scopes /view',
    'impersonate authentication.k8s.io/uids /u-1',
  ]);
  assert.deepEqual(user, {
    username: 'system:serviceaccount:ns1:robot',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'devs', 'ops', 'system:authenticated'],
    uid: 'u-1',
    extra: { scopes: ['view'] },
  });
});

test('a denied impersonation is the 403 of the impersonate check; groups without a user are a bad request', async () => {
  const deny = async (a: Attributes) => {
    throw forbidden(a, '');
  };
  const sa = { username: 'system:serviceaccount:default:sa', groups: [] };
  await assert.rejects(impersonate(sa, { 'impersonate-user': 'bob' }, deny), {
    message: 'users "bob" is forbidden: User "system:serviceaccount:default:sa" cannot impersonate resource "users" in API group "" at the cluster scope',
  });
  await assert.rejects(impersonate(sa, { 'impersonate-group': 'devs' }, deny), (e: { status: { code: number } }) => e.status.code === 400);
});
