import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import {
  convertFieldSelector,
  fieldSelectorString,
  matchFields,
  objectFields,
  parseFieldSelector,
  unsupportedField,
} from './fields.js';
import type { Event, Pod } from './types.js';

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail('expected an error');
}

test('operators and comma-joined terms', () => {
  const f = { 'metadata.name': 'web', 'status.phase': 'Running' };
  assert.ok(matchFields(parseFieldSelector('metadata.name=web'), f));
  assert.ok(matchFields(parseFieldSelector('metadata.name==web'), f));
  assert.ok(!matchFields(parseFieldSelector('metadata.name!=web'), f));
  assert.ok(matchFields(parseFieldSelector('metadata.name=web,status.phase=Running'), f));
  assert.ok(!matchFields(parseFieldSelector('metadata.name=web,status.phase!=Running'), f));
  assert.ok(matchFields(parseFieldSelector('spec.nodeName='), f), 'absent fields read as ""');
  assert.deepEqual(parseFieldSelector('a==b')[0], { field: 'a', operator: '=', value: 'b' });
  assert.deepEqual(parseFieldSelector(''), []);
  assert.deepEqual(parseFieldSelector('a=b,,c=d').map((r) => r.field), ['a', 'c']);
});

test('backslash escapes', () => {
  assert.equal(parseFieldSelector('a=x\\,y\\=z\\\\')[0].value, 'x,y=z\\');
  assert.equal(fieldSelectorString(parseFieldSelector('a=x\\,y')), 'a=x\\,y');
});

test('parse errors as upstream', () => {
  assert.equal(badRequest(() => parseFieldSelector('metadata.name')), "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  assert.equal(badRequest(() => parseFieldSelector('a=b=c')), 'invalid field selector: unescaped character in value: 61');
  assert.equal(badRequest(() => parseFieldSelector('a=b\\x')), 'invalid field selector: invalid escape sequence: \\x');
  assert.equal(badRequest(() => parseFieldSelector('a=b\\')), 'invalid field selector: invalid escape sequence: \\');
});

test('unsupported fields', () => {
  assert.equal(unsupportedField('Pod', 'spec.foo'), 'field label not supported: spec.foo');
  assert.equal(unsupportedField('Pod', 'spec.nodeName'), undefined);
  assert.equal(unsupportedField('Node', 'metadata.namespace'), 'field label not supported: metadata.namespace');
  assert.equal(unsupportedField('ConfigMap', 'data.x'), '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
  assert.equal(unsupportedField('ConfigMap', 'metadata.namespace'), undefined);
  assert.equal(badRequest(() => convertFieldSelector('Service', parseFieldSelector('spec.ports=1'))), 'field label not supported: spec.ports');
  assert.deepEqual(convertFieldSelector('Pod', parseFieldSelector('spec.host=n1')), [{ field: 'spec.nodeName', operator: '=', value: 'n1' }]);
});

test('selectable fields per kind', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [], nodeName: 'node-1', restartPolicy: 'Always' },
    status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }] },
  } as Pod;
  const pf = objectFields('Pod', pod);
  assert.equal(pf['metadata.namespace'], 'default');
  assert.equal(pf['spec.nodeName'], 'node-1');
  assert.equal(pf['spec.hostNetwork'], 'false');
  assert.equal(pf['status.podIP'], '10.244.0.5');
  assert.ok(matchFields(parseFieldSelector('status.phase=Running,spec.nodeName=node-1'), pf));

  const ev = {
    metadata: { name: 'e', namespace: 'default' },
    involvedObject: { kind: 'Service', name: 'web', namespace: 'default', uid: 'u1' },
    reason: 'Created',
    reportingComponent: 'service-controller',
    type: 'Normal',
  } as Event;
  const ef = objectFields('Event', ev);
  assert.ok(matchFields(parseFieldSelector('involvedObject.kind=Service,involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u1'), ef));
  assert.equal(ef.source, 'service-controller');

  assert.deepEqual(objectFields('Node', { metadata: { name: 'n' }, spec: { unschedulable: true } }), {
    'metadata.name': 'n',
    'spec.unschedulable': 'true',
  });
  assert.equal(objectFields('Namespace', { metadata: { name: 'x' }, status: { phase: 'Active' } })['status.phase'], 'Active');
  assert.equal(objectFields('Secret', { metadata: { name: 's' }, type: 'Opaque' }).type, 'Opaque');
  assert.equal(objectFields('Service', { metadata: { name: 's' }, spec: { type: 'NodePort', clusterIP: '10.96.0.7' } })['spec.type'], 'NodePort');
  assert.equal(objectFields('ReplicaSet', { metadata: { name: 'r' }, spec: { selector: {} }, status: { replicas: 3 } })['status.replicas'], '3');
  assert.deepEqual(objectFields('ConfigMap', { metadata: { name: 'c', namespace: 'ns' } }), { 'metadata.name': 'c', 'metadata.namespace': 'ns' });
});
