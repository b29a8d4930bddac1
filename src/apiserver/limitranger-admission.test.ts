import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LimitRange, Pod } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { fileApiFixture } from '../testing/api-fixture.js';
import { limitRangerAnnotation } from './limitranger-admission.js';

const api = fileApiFixture();

const limitranges = resourceFor('limitranges');
const pods = resourceFor('pods');
const bodyOf = (r: { body: Buffer }) => JSON.parse(r.body.toString('utf8')) as { code: number; reason: string; message: string };
const post = (path: string, body: unknown) => api.client.transport.request('POST', path, body);

async function namespace(name: string): Promise<void> {
  await api.client.create(resourceFor('namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

const limitRange = (name: string, limits: LimitRange['spec']['limits']): LimitRange => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name }, spec: { limits } });
const pod = (name: string, resources?: Pod['spec']['containers'][number]['resources']): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'nginx', resources }] },
});

test('a LimitRange is stored with its Container defaults filled in (default from max, defaultRequest from default)', async () => {
  await namespace('lr-defaults');
  const lr = await api.client.create<LimitRange>(limitranges, 'lr-defaults', limitRange('cpu', [{ type: 'Container', max: { cpu: '1' }, min: { memory: '10Mi' } }]));
  assert.deepEqual(lr.spec.limits[0].default, { cpu: '1' });
  assert.deepEqual(lr.spec.limits[0].defaultRequest, { cpu: '1', memory: '10Mi' });
});

test('pods get default requests and limits, recorded in the kubernetes.io/limit-ranger annotation', async () => {
  await namespace('lr-pods');
  await api.client.create(limitranges, 'lr-pods', limitRange('mem', [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }]));
  const p = await api.client.create<Pod>(pods, 'lr-pods', pod('defaulted'));
  assert.deepEqual(p.spec.containers[0].resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  assert.equal(p.metadata.annotations?.[limitRangerAnnotation], 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');
  // What the container sets itself stays, a limit without a request requests the limit (pod defaults first).
  const own = await api.client.create<Pod>(pods, 'lr-pods', pod('own', { limits: { cpu: '300m' } }));
  assert.deepEqual(own.spec.containers[0].resources, { limits: { cpu: '300m', memory: '256Mi' }, requests: { cpu: '300m', memory: '128Mi' } });
});

test('min, max and ratio violations are refused with 403 and upstream messages', async () => {
  await namespace('lr-bounds');
  await api.client.create(limitranges, 'lr-bounds', limitRange('bounds', [
    { type: 'Container', max: { cpu: '1' }, min: { cpu: '100m' }, maxLimitRequestRatio: { memory: '2' } },
    { type: 'Pod', max: { memory: '1Gi' } },
  ]));
  const big = await post('/api/v1/namespaces/lr-bounds/pods', pod('x', { limits: { cpu: '2', memory: '100Mi' }, requests: { cpu: '500m', memory: '100Mi' } }));
  assert.equal(big.status, 403);
  assert.equal(bodyOf(big).reason, 'Forbidden');
  assert.equal(bodyOf(big).message, 'pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  const small = await post('/api/v1/namespaces/lr-bounds/pods', pod('y', { limits: { cpu: '50m', memory: '100Mi' } }));
  assert.equal(bodyOf(small).message, 'pods "y" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
  const ratio = await post('/api/v1/namespaces/lr-bounds/pods', pod('z', { limits: { cpu: '500m', memory: '3Gi' }, requests: { memory: '1Gi' } }));
  assert.equal(
    bodyOf(ratio).message,
    'pods "z" is forbidden: [memory max limit to request ratio per Container is 2, but provided ratio is 3.000000, maximum memory usage per Pod is 1Gi, but limit is 3Gi]',
  );
});

test('claims are held to PersistentVolumeClaim entries; invalid ranges are refused', async () => {
  await namespace('lr-claims');
  await api.client.create(limitranges, 'lr-claims', limitRange('storage', [{ type: 'PersistentVolumeClaim', max: { storage: '2Gi' } }]));
  const claim = await post('/api/v1/namespaces/lr-claims/persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'big' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
  });
  assert.equal(bodyOf(claim).message, 'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi');
  const bad = await post('/api/v1/namespaces/lr-claims/limitranges', limitRange('bad', [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }]));
  assert.equal(bad.status, 422);
  assert.match(bodyOf(bad).message, /spec\.limits\[0\]\.min\[cpu\]: Invalid value: "2": min value 2 is greater than max value 1/);
});
