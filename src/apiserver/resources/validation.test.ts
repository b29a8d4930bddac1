import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { strategyOfKind as strategy } from '../../testing/resource-strategies.js';

test('ConfigMap keys and size', () => {
  const cm: KubeObject = { kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { 'bad key': 'x' } };
  assert.deepEqual(strategy('ConfigMap').validate(cm).map(fieldErrorString), [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  const big: KubeObject = { kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: 'x'.repeat(1048577) } };
  assert.deepEqual(strategy('ConfigMap').validate(big).map((e) => [e.type, e.field]), [['FieldValueTooLong', '[]']]);
});

test('EndpointSlice and Event rules', () => {
  const slice: KubeObject = { kind: 'EndpointSlice', metadata: { name: 's', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: [] }], ports: [] };
  assert.deepEqual(strategy('EndpointSlice').validate(slice).map(fieldErrorString), ['endpoints[0].addresses: Required value: must contain at least 1 address']);
  const ev: KubeObject = { kind: 'Event', metadata: { name: 'e', namespace: 'dev' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } };
  assert.deepEqual(strategy('Event').validate(ev).map(fieldErrorString), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
});

test('unknown kinds get object meta only; updates keep names immutable', () => {
  const sa: KubeObject = { kind: 'ServiceAccount', metadata: { name: 'Bad', namespace: 'default' } };
  assert.equal(strategy('ServiceAccount').validate(sa).length, 1);
  const ns: KubeObject = { kind: 'Namespace', metadata: { name: 'a', uid: '1' } };
  assert.deepEqual(strategy('Namespace').validateUpdate({ ...ns, metadata: { name: 'a', uid: '2' } }, ns).map(fieldErrorString), [
    'metadata.uid: Invalid value: "2": field is immutable',
  ]);
});
