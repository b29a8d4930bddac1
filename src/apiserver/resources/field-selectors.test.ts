import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thrownBy } from '../../testing/thrown.js';
import { ApiError } from '../../api/errors.js';
import { convertFieldSelector, matchFields, objectFields, parseFieldSelector, unsupportedField } from '../../api/fields.js';
import { findKind } from '../../api/resources.js';
import type { Event, KubeObject, Pod } from '../../api/types.js';
import { strategyOfKind } from '../../testing/resource-strategies.js';

const selectors = (kind: string) => strategyOfKind(kind).fieldSelectors;
const fieldsOf = (kind: string, obj: KubeObject) => objectFields(selectors(kind), obj, findKind(kind)!.namespaced);

function badRequest(fn: () => unknown): string {
  const e = thrownBy(fn, ApiError);
  assert.equal(e.code, 400);
  return e.message;
}

test('unsupported fields', () => {
  assert.equal(unsupportedField(selectors('Pod'), 'spec.foo'), 'field label not supported: spec.foo');
  assert.equal(unsupportedField(selectors('Pod'), 'spec.nodeName'), undefined);
  assert.equal(unsupportedField(selectors('Node'), 'metadata.namespace'), 'field label not supported: metadata.namespace');
  assert.equal(unsupportedField(selectors('ConfigMap'), 'data.x'), '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
  assert.equal(unsupportedField(selectors('ConfigMap'), 'metadata.namespace'), undefined);
  assert.equal(badRequest(() => convertFieldSelector(selectors('Service'), parseFieldSelector('spec.ports=1'))), 'field label not supported: spec.ports');
  assert.deepEqual(convertFieldSelector(selectors('Pod'), parseFieldSelector('spec.host=n1')), [{ field: 'spec.nodeName', operator: '=', value: 'n1' }]);
});

test('selectable fields per kind', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [], nodeName: 'node-1', restartPolicy: 'Always' },
    status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }] },
  } as Pod;
  const pf = fieldsOf('Pod', pod);
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
  const ef = fieldsOf('Event', ev);
  assert.ok(matchFields(parseFieldSelector('involvedObject.kind=Service,involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u1'), ef));
  assert.equal(ef.source, 'service-controller');

  assert.deepEqual(fieldsOf('Node', { metadata: { name: 'n' }, spec: { unschedulable: true } }), {
    'metadata.name': 'n',
    'spec.unschedulable': 'true',
  });
  assert.equal(fieldsOf('Namespace', { metadata: { name: 'x' }, status: { phase: 'Active' } })['status.phase'], 'Active');
  assert.equal(fieldsOf('Secret', { metadata: { name: 's' }, type: 'Opaque' }).type, 'Opaque');
  assert.equal(fieldsOf('Service', { metadata: { name: 's' }, spec: { type: 'NodePort', clusterIP: '10.96.0.7' } })['spec.type'], 'NodePort');
  assert.equal(fieldsOf('ReplicaSet', { metadata: { name: 'r' }, spec: { selector: {} }, status: { replicas: 3 } })['status.replicas'], '3');
  assert.deepEqual(fieldsOf('ConfigMap', { metadata: { name: 'c', namespace: 'ns' } }), { 'metadata.name': 'c', 'metadata.namespace': 'ns' });
});
