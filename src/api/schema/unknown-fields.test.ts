import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTyped, strictDecodingMessage, unknownFields } from './unknown-fields.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' }, labelz: { a: 'b' } },
  spec: {
    replicas: 2,
    foo: 1,
    selector: { matchLabels: { app: 'web' } },
    strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'a', image: 'nginx', resources: { limits: { cpu: '100m', memory: 1024 } } },
          { name: 'b', imagex: 'nginx', ports: [{ containerPort: 80, bogus: true }], unknownTree: { deep: { x: 1 } } },
        ],
      },
    },
  },
};

test('unknown fields are reported with upstream strict-decoding paths, in document order', () => {
  assert.deepEqual(unknownFields('apps/v1', 'Deployment', deployment), [
    'metadata.labelz',
    'spec.foo',
    'spec.template.spec.containers[1].imagex',
    'spec.template.spec.containers[1].ports[0].bogus',
    'spec.template.spec.containers[1].unknownTree',
  ]);
});

test('known objects, maps, int-or-string and quantities pass', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', annotations: { 'x/y': 'z' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u' }] },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }], type: 'NodePort' },
    status: { loadBalancer: {} },
  };
  assert.deepEqual(unknownFields('v1', 'Service', svc), []);
});

test('field names are case-sensitive, as UnmarshalStrict decodes them', () => {
  assert.deepEqual(unknownFields('v1', 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { Name: 'x' }, Data: {} }), [
    'metadata.Name',
    'Data',
  ]);
});

test('map values that are objects are walked under their key', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { daemonEndpoints: { kubeletEndpoint: { Port: 10250, port: 1 } } } };
  assert.deepEqual(unknownFields('v1', 'Node', node), ['status.daemonEndpoints.kubeletEndpoint.port']);
});

test('list kinds, Scale, EndpointSlice, Lease and Job have schemas; unserved kinds have none', () => {
  assert.deepEqual(unknownFields('v1', 'PodList', { items: [{ metadata: {}, spec: { nope: 1 } }] }), ['items[0].spec.nope']);
  assert.deepEqual(unknownFields('autoscaling/v1', 'Scale', { spec: { replicas: 3, x: 1 } }), ['spec.x']);
  assert.deepEqual(
    unknownFields('discovery.k8s.io/v1', 'EndpointSlice', {
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false, other: 1 } }],
      ports: [{ name: '', port: 80, protocol: 'TCP' }],
    }),
    ['endpoints[0].conditions.other'],
  );
  assert.deepEqual(unknownFields('coordination.k8s.io/v1', 'Lease', { spec: { holderIdentity: 'a', renewTime: '2024-01-01T00:00:00.000000Z' } }), []);
  assert.deepEqual(unknownFields('batch/v1', 'Job', { spec: { foo: 1 } }), ['spec.foo']);
  assert.deepEqual(unknownFields('batch/v2', 'Job', { spec: { foo: 1 } }), []);
  assert.deepEqual(unknownFields('v1', 'Pod', 'not an object'), []);
});

test('strictDecodingMessage matches runtime.NewStrictDecodingError', () => {
  assert.equal(strictDecodingMessage(['spec.foo', 'spec.bar']), 'strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
});

test('decodeTyped drops unknown fields in place, keeps strategic merge directives, and reports the first wrong-shaped value', () => {
  const cm: Record<string, unknown> = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', bogus: { deep: 1 } }, data: { a: 'b' }, junk: 'x' };
  const r = decodeTyped('v1', 'ConfigMap', cm, { drop: true });
  assert.deepEqual(r, { unknown: ['metadata.bogus', 'junk'], typeError: undefined });
  assert.deepEqual(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });

  const kept: Record<string, unknown> = { metadata: { labels: { $patch: 'replace', a: 'b' } }, spec: { '$setElementOrder/containers': [{ name: 'x' }] } };
  assert.deepEqual(decodeTyped('v1', 'Pod', kept, { drop: true, directives: true }).unknown, []);
  assert.deepEqual(kept.spec, { '$setElementOrder/containers': [{ name: 'x' }] });

  const bad = { spec: { containers: [{ name: 'x', ports: { containerPort: 80 } }] } };
  assert.equal(
    decodeTyped('v1', 'Pod', bad, { drop: true }).typeError,
    'json: cannot unmarshal object into Go struct field Container.spec.containers.ports of type []v1.ContainerPort',
  );
  assert.equal(decodeTyped('apps/v1', 'Deployment', { spec: 'x' }, { drop: true }).typeError, 'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec');
});
