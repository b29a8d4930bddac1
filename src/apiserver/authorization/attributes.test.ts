import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from '../request-info.js';
import { requestAttributes } from './attributes.js';

const user = { username: 'u', groups: [] };
const verbOf = (method: string, url: string) => {
  const u = new URL(url, 'https://x');
  return requestAttributes(user, method, parseRequestInfo(u.pathname), u.searchParams);
};

test('verbs as requestinfo.go derives them', () => {
  assert.equal(verbOf('GET', '/api/v1/namespaces/default/pods/web').verb, 'get');
  assert.equal(verbOf('GET', '/api/v1/namespaces/default/pods').verb, 'list');
  assert.equal(verbOf('GET', '/api/v1/pods?watch=true').verb, 'watch');
  assert.equal(verbOf('GET', '/api/v1/pods?watch=0').verb, 'list');
  assert.equal(verbOf('POST', '/api/v1/namespaces/default/pods').verb, 'create');
  assert.equal(verbOf('PUT', '/api/v1/namespaces/default/pods/web').verb, 'update');
  assert.equal(verbOf('PATCH', '/api/v1/namespaces/default/pods/web').verb, 'patch');
  assert.equal(verbOf('DELETE', '/api/v1/namespaces/default/pods/web').verb, 'delete');
  assert.equal(verbOf('DELETE', '/api/v1/namespaces/default/pods').verb, 'deletecollection');
  assert.deepEqual(verbOf('POST', '/apis/foo'), { isResourceRequest: false, user, verb: 'post', path: '/apis/foo' });
});

test('attributes name the subresource, a field-selected object, and a namespace as its own namespace', () => {
  const exec = verbOf('POST', '/api/v1/namespaces/ns1/pods/web/exec');
  assert.ok(exec.isResourceRequest);
  assert.deepEqual([exec.resource, exec.subresource, exec.namespace, exec.name], ['pods', 'exec', 'ns1', 'web']);
  const watchOne = verbOf('GET', '/api/v1/namespaces/ns1/pods?fieldSelector=metadata.name%3Dweb&watch=1');
  assert.ok(watchOne.isResourceRequest);
  assert.deepEqual([watchOne.verb, watchOne.name], ['watch', 'web']);
  const ns = verbOf('GET', '/api/v1/namespaces/ns1');
  assert.ok(ns.isResourceRequest);
  assert.deepEqual([ns.resource, ns.namespace, ns.name], ['namespaces', 'ns1', 'ns1']);
});
