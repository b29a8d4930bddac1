import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

test('create rules', () => {
  const v = nameIsDNSSubdomain;
  assert.deepEqual(validateObjectMeta({ namespace: 'default' }, true, v).map(fieldErrorString), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(validateObjectMeta({ name: 'x' }, true, v).map(fieldErrorString), ['metadata.namespace: Required value']);
  assert.deepEqual(validateObjectMeta({ name: 'x', namespace: 'a' }, false, v).map(fieldErrorString), ['metadata.namespace: Forbidden: not allowed on this type']);
  assert.deepEqual(validateObjectMeta({ name: 'x', namespace: 'a', finalizers: ['foo'] }, true, v).map(fieldErrorString), [
    'metadata.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  const labelErrs = validateObjectMeta({ name: 'x', namespace: 'a', labels: { app: 'bad value' } }, true, v).map(fieldErrorString);
  assert.equal(labelErrs.length, 1);
  assert.match(labelErrs[0], /^metadata\.labels: Invalid value: "bad value": a valid label must be an empty string/);
  const big = validateObjectMeta({ name: 'x', namespace: 'a', annotations: { a: 'x'.repeat(262144) } }, true, v);
  assert.deepEqual(big.map((e) => [e.type, e.field]), [['FieldValueTooLong', 'metadata.annotations']]);
});

test('update rules: identity fields are immutable', () => {
  const old = { name: 'x', namespace: 'a', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' };
  assert.deepEqual(validateObjectMetaUpdate({ ...old }, old), []);
  assert.deepEqual(validateObjectMetaUpdate({ ...old, name: 'y', uid: 'u2' }, old).map(fieldErrorString), [
    'metadata.name: Invalid value: "y": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
  ]);
});
