import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PriorityClass } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { fileApiFixture } from '../testing/api-fixture.js';

const api = fileApiFixture();

const classes = resourceFor('priorityclasses', 'scheduling.k8s.io');
const pods = resourceFor('pods');

function post(path: string, body: unknown) {
  return api.client.transport.request('POST', path, body);
}
const bodyOf = (r: { body: Buffer }) => JSON.parse(r.body.toString('utf8')) as { code: number; reason: string; message: string };

const priorityClass = (name: string, value: number, extra: Partial<PriorityClass> = {}): PriorityClass => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });
const pod = (name: string, spec: Partial<Pod['spec']> = {}): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });

test('the two system classes exist from the start, with upstream values', async () => {
  const node = await api.client.get<PriorityClass>(classes, undefined, 'system-node-critical');
  const cluster = await api.client.get<PriorityClass>(classes, undefined, 'system-cluster-critical');
  assert.equal(node.value, 2000001000);
  assert.equal(cluster.value, 2000000000);
  assert.equal(cluster.preemptionPolicy, 'PreemptLowerPriority');
});

test('a pod gets its class value and preemption policy; without a class, 0', async () => {
  await api.client.create(classes, undefined, priorityClass('high', 1000, { preemptionPolicy: 'Never' }));
  const withClass = await api.client.create<Pod>(pods, 'default', pod('with-class', { priorityClassName: 'high' }));
  assert.equal(withClass.spec.priority, 1000);
  assert.equal(withClass.spec.preemptionPolicy, 'Never');
  const plain = await api.client.create<Pod>(pods, 'default', pod('plain'));
  assert.equal(plain.spec.priority, 0);
  assert.equal(plain.spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(plain.spec.priorityClassName, undefined);
});

test('an unknown class and a contradicting priority are refused with 403 Forbidden and upstream messages', async () => {
  const unknown = await post('/api/v1/namespaces/default/pods', pod('x', { priorityClassName: 'foo' }));
  assert.equal(unknown.status, 403);
  assert.equal(bodyOf(unknown).message, 'pods "x" is forbidden: no PriorityClass with name foo was found');
  const contradicting = await post('/api/v1/namespaces/default/pods', pod('y', { priorityClassName: 'system-cluster-critical', priority: 5 }));
  assert.equal(
    bodyOf(contradicting).message,
    'pods "y" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 2000000000 from the given PriorityClass name',
  );
});

test('one global default: pods without a class get it; a second default is refused', async () => {
  await api.client.create(classes, undefined, priorityClass('everyday', 10, { globalDefault: true }));
  const p = await api.client.create<Pod>(pods, 'default', pod('defaulted'));
  assert.equal(p.spec.priorityClassName, 'everyday');
  assert.equal(p.spec.priority, 10);
  const second = await post('/apis/scheduling.k8s.io/v1/priorityclasses', priorityClass('other', 20, { globalDefault: true }));
  assert.equal(second.status, 403);
  assert.equal(bodyOf(second).message, 'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass everyday is already marked as default. Only one default can exist');
  await api.client.delete(classes, undefined, 'everyday');
});

test('validation: user values up to 1e9, system- names reserved, value immutable', async () => {
  const big = await post('/apis/scheduling.k8s.io/v1/priorityclasses', priorityClass('big', 1_000_000_001));
  assert.equal(big.status, 422);
  assert.equal(bodyOf(big).message, 'PriorityClass.scheduling.k8s.io "big" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
  const reserved = await post('/apis/scheduling.k8s.io/v1/priorityclasses', priorityClass('system-mine', 5));
  assert.equal(
    bodyOf(reserved).message,
    "PriorityClass.scheduling.k8s.io \"system-mine\" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
  );
  const pc = await api.client.create<PriorityClass>(classes, undefined, priorityClass('fixed', 7));
  const changed = await api.client.transport.request('PUT', '/apis/scheduling.k8s.io/v1/priorityclasses/fixed', { ...pc, value: 8 });
  assert.equal(bodyOf(changed).message, 'PriorityClass.scheduling.k8s.io "fixed" is invalid: value: Forbidden: may not be changed in an update.');
});
