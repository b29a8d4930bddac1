import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbidden } from './forbidden.js';

const user = { username: 'system:serviceaccount:default:sa', groups: [] };
const base = { isResourceRequest: true as const, user, apiVersion: 'v1', subresource: '', name: '' };

test('403 messages and details as upstream writes them', () => {
  const list = forbidden({ ...base, verb: 'list', apiGroup: '', resource: 'pods', namespace: 'default' }, '');
  assert.equal(list.status.message, 'pods is forbidden: User "system:serviceaccount:default:sa" cannot list resource "pods" in API group "" in the namespace "default"');
  assert.equal(list.status.reason, 'Forbidden');
  assert.equal(list.status.code, 403);
  assert.deepEqual(list.status.details, { kind: 'pods' });

  const node = forbidden({ ...base, verb: 'get', apiGroup: '', resource: 'nodes', namespace: '', name: 'n1' }, '');
  assert.equal(node.status.message, 'nodes "n1" is forbidden: User "system:serviceaccount:default:sa" cannot get resource "nodes" in API group "" at the cluster scope');

  const scale = forbidden({ ...base, verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns', name: 'd' }, 'RBAC: clusterrole.rbac.authorization.k8s.io "x" not found');
  assert.equal(scale.status.message, 'deployments.apps "d" is forbidden: User "system:serviceaccount:default:sa" cannot update resource "deployments/scale" in API group "apps" in the namespace "ns": RBAC: clusterrole.rbac.authorization.k8s.io "x" not found');
  assert.deepEqual(scale.status.details, { name: 'd', group: 'apps', kind: 'deployments' });

  const path = forbidden({ isResourceRequest: false, user: { username: 'x', groups: [] }, verb: 'get', path: '/foo' }, '');
  assert.equal(path.status.message, 'forbidden: User "x" cannot get path "/foo"');
});
