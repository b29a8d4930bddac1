import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, field, orderedStatus } from './errors.js';

test('Status fields are written in the API server order, details and causes included', () => {
  assert.equal(
    JSON.stringify(ApiError.notFound({ group: 'apps', resource: 'deployments' }, 'web').status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"web\\" not found","reason":"NotFound","details":{"name":"web","group":"apps","kind":"deployments"},"code":404}',
  );
  const invalid = ApiError.invalid('apps', 'Deployment', 'web', [field.required('spec.selector')]).status;
  assert.deepEqual(Object.keys(invalid), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
  assert.deepEqual(Object.keys(invalid.details!), ['name', 'group', 'kind', 'causes']);
  assert.deepEqual(Object.keys(invalid.details!.causes![0]), ['reason', 'message', 'field']);
});

test('a Success Status carries no code, as metav1.Status omits a zero one', () => {
  const s = orderedStatus({ status: 'Success', details: { uid: 'u', kind: 'configmaps', name: 'c', group: '' } });
  assert.equal(JSON.stringify(s), '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"c","kind":"configmaps","uid":"u"}}');
});
