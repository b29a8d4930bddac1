import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, KubeList, Node, Service } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../../testing/controller-harness.js';
import { createRunningPod, createService, podRef, setPodReady } from '../../testing/service-objects.js';
import { waitFor } from '../../testing/wait.js';
import { newEndpointSliceController } from './endpointslice-controller.js';

const podsInfo = resourceFor('pods');
const servicesInfo = resourceFor('services');
const nodesInfo = resourceFor('nodes');
const slicesInfo = resourceFor('endpointslices', 'discovery.k8s.io');
const managedBy = 'endpointslice-controller.k8s.io';

let h: ControllerHarness;
let client: ApiClient;

before(async () => {
  h = await startControllerHarness({
    controllers: [newEndpointSliceController],
    // The node is there before the first sync, so every endpoint gets its zone.
    seed: (c) => c.create<Node>(nodesInfo, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } }),
  });
  client = h.client;
});

after(() => h.stop());

async function slicesOf(service: string): Promise<EndpointSlice[]> {
  const list = await client.list<EndpointSlice>(slicesInfo, 'default', { labelSelector: `kubernetes.io/service-name=${service}` });
  return (list as KubeList<EndpointSlice>).items;
}

function slicesWhere(service: string, check: (s: EndpointSlice[]) => boolean): Promise<EndpointSlice[]> {
  return waitFor(async () => {
    const s = await slicesOf(service);
    return check(s) ? s : undefined;
  }, 15_000, `slices of ${service}`);
}

const byIP = (s: EndpointSlice) => [...(s.endpoints ?? [])].sort((x, y) => x.addresses[0].localeCompare(y.addresses[0]));

test('a slice follows its pods: contents, readiness flip, terminating pod', async () => {
  const svc = await createService(client, 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }, { team: 'a' });
  const a = await createRunningPod(client, 'web-a', { app: 'web' }, '10.244.0.11', true);
  const b = await createRunningPod(client, 'web-b', { app: 'web' }, '10.244.0.12', false);
  await createRunningPod(client, 'other', { app: 'other' }, '10.244.0.13', true);

  let [slice] = await slicesWhere('web', (s) => s.length === 1 && (s[0].endpoints ?? []).length === 2);
  assert.match(slice.metadata.name!, /^web-[a-z0-9]{5}$/);
  assert.equal(slice.metadata.generateName, 'web-');
  assert.deepEqual(slice.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': managedBy });
  assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.ok(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(byIP(slice), [
    { addresses: ['10.244.0.11'], conditions: { ready: true, serving: true, terminating: false }, targetRef: podRef(a), nodeName: 'node-1', zone: 'zone-a' },
    { addresses: ['10.244.0.12'], conditions: { ready: false, serving: false, terminating: false }, targetRef: podRef(b), nodeName: 'node-1', zone: 'zone-a' },
  ]);

  // Readiness flips in place, in the same slice.
  await setPodReady(client, b, true);
  [slice] = await slicesWhere('web', (s) => s.length === 1 && (s[0].endpoints ?? []).every((e) => e.conditions?.ready));
  assert.equal(slice.metadata.name, slice.metadata.name);

  // Deleting a (node-bound) pod makes it terminating: still serving, no longer ready.
  await client.delete(podsInfo, 'default', 'web-a');
  [slice] = await slicesWhere('web', (s) => s.length === 1 && (s[0].endpoints ?? []).some((e) => e.conditions?.terminating));
  assert.deepEqual(byIP(slice).map((e) => e.conditions), [
    { ready: false, serving: true, terminating: true },
    { ready: true, serving: true, terminating: false },
  ]);

  // The node confirms the deletion: the endpoint goes.
  await client.delete(podsInfo, 'default', 'web-a', { gracePeriodSeconds: 0 });
  [slice] = await slicesWhere('web', (s) => s.length === 1 && (s[0].endpoints ?? []).length === 1);
  assert.deepEqual(slice.endpoints![0].addresses, ['10.244.0.12']);
});

test('a Service without endpoints gets one placeholder slice (null endpoints and ports)', async () => {
  await createService(client, 'empty', { selector: { app: 'nothing' }, ports: [{ name: 'http', port: 80 }] });
  const [slice] = await slicesWhere('empty', (s) => s.length === 1);
  assert.equal(slice.endpoints, null);
  assert.equal(slice.ports, null);
  assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], managedBy);
});

test('named targetPort and headless labels', async () => {
  await createService(client, 'named', { selector: { app: 'named' }, clusterIP: 'None', ports: [{ name: 'http', port: 80, targetPort: 'web' }] });
  await createRunningPod(client, 'named-a', { app: 'named' }, '10.244.1.1', true, [{ name: 'web', containerPort: 8080, protocol: 'TCP' }]);
  await createRunningPod(client, 'named-b', { app: 'named' }, '10.244.1.2', true);
  const slices = await slicesWhere('named', (s) => s.length === 2);
  const summary = slices.map((s) => [s.ports, s.endpoints!.map((e) => e.addresses[0])]).sort((x, y) => String(x[1]).localeCompare(String(y[1])));
  assert.deepEqual(summary, [
    [[{ name: 'http', port: 8080, protocol: 'TCP' }], ['10.244.1.1']],
    [null, ['10.244.1.2']],
  ]);
  for (const s of slices) assert.equal(s.metadata.labels?.['service.kubernetes.io/headless'], '');

  // A resync that changes nothing writes nothing.
  const svc = await client.get<Service>(servicesInfo, 'default', 'named');
  svc.metadata.annotations = { touched: 'yes' };
  await client.update(servicesInfo, svc);
  await createService(client, 'named-marker', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
  await slicesWhere('named-marker', (s) => s.length === 1);
  const now = await slicesOf('named');
  assert.deepEqual(now.map((s) => s.metadata.resourceVersion).sort(), slices.map((s) => s.metadata.resourceVersion).sort());
});

test('150 pods → 2 slices (100 + 50)', async () => {
  await createService(client, 'big', { selector: { app: 'big' }, ports: [{ port: 80 }] });
  for (let i = 0; i < 150; i++) await createRunningPod(client, `big-${i}`, { app: 'big' }, `10.245.${Math.floor(i / 200)}.${(i % 200) + 1}`, true);
  const slices = await slicesWhere('big', (s) => s.reduce((n, x) => n + (x.endpoints ?? []).length, 0) === 150);
  assert.deepEqual(slices.map((s) => (s.endpoints ?? []).length).sort((x, y) => y - x), [100, 50]);
});

test('the kubernetes slice and selector-less Services are left alone', async () => {
  const [kube] = await slicesOf('kubernetes');
  await createService(client, 'manual', { ports: [{ port: 80 }] });
  await createService(client, 'marker', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
  await slicesWhere('marker', (s) => s.length === 1);
  assert.deepEqual(await slicesOf('manual'), []);
  const [kubeNow] = await slicesOf('kubernetes');
  assert.equal(kubeNow.metadata.resourceVersion, kube.metadata.resourceVersion);
});

test('a slice deleted by someone else is recreated', async () => {
  await createService(client, 'heal', { selector: { app: 'heal' }, ports: [{ port: 80 }] });
  await createRunningPod(client, 'heal-a', { app: 'heal' }, '10.244.3.1', true);
  const [slice] = await slicesWhere('heal', (s) => s.length === 1 && (s[0].endpoints ?? []).length === 1);
  await client.delete(slicesInfo, 'default', slice.metadata.name!);
  const [again] = await slicesWhere('heal', (s) => s.length === 1 && s[0].metadata.name !== slice.metadata.name);
  assert.deepEqual(again.endpoints!.map((e) => e.addresses[0]), ['10.244.3.1']);
});
