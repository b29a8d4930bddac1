import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerPort, EndpointSlice, KubeList, Node, Pod, Service } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import { ApiEventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { startApiFixture, type ApiFixture } from '../../testing/api-fixture.js';
import { silentLogger } from '../../util/logger.js';
import { defaultControllerOptions, type Controller, type ControllerContext } from '../controller-context.js';
import { newEndpointSliceController } from './endpointslice-controller.js';

const podsInfo = resourceFor('pods');
const servicesInfo = resourceFor('services');
const nodesInfo = resourceFor('nodes');
const slicesInfo = resourceFor('endpointslices', 'discovery.k8s.io');
const managedBy = 'endpointslice-controller.k8s.io';

let fx: ApiFixture;
let client: ApiClient;
let informers: InformerFactory;
let controller: Controller;

before(async () => {
  fx = await startApiFixture();
  client = fx.client('test');
  await client.create<Node>(nodesInfo, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } });
  informers = new InformerFactory(client);
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (c) => new ApiEventRecorder(client, c),
    logger: silentLogger,
    now: () => new Date(),
    options: defaultControllerOptions,
  };
  controller = newEndpointSliceController(ctx);
  controller.start();
  informers.start();
  await informers.waitForSync();
});

after(async () => {
  controller.stop();
  informers.stop();
  await fx.stop();
});

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function slicesOf(service: string): Promise<EndpointSlice[]> {
  const list = await client.list<EndpointSlice>(slicesInfo, 'default', { labelSelector: `kubernetes.io/service-name=${service}` });
  return (list as KubeList<EndpointSlice>).items;
}

function slicesWhere(service: string, check: (s: EndpointSlice[]) => boolean): Promise<EndpointSlice[]> {
  return waitFor(async () => {
    const s = await slicesOf(service);
    return check(s) ? s : undefined;
  }, `slices of ${service}`);
}

async function createService(name: string, spec: Service['spec'], labels?: Record<string, string>): Promise<Service> {
  return client.create<Service>(servicesInfo, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec });
}

async function runningPod(name: string, labels: Record<string, string>, ip: string, ready: boolean, ports: ContainerPort[] = []): Promise<Pod> {
  const pod = await client.create<Pod>(podsInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx', ports }] },
  });
  return setReady(pod, ready, ip);
}

async function setReady(pod: Pod, ready: boolean, ip = pod.status?.podIP): Promise<Pod> {
  const fresh = await client.get<Pod>(podsInfo, 'default', pod.metadata.name!);
  fresh.status = {
    ...fresh.status,
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip: ip! }],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
  };
  return client.updateStatus<Pod>(podsInfo, fresh);
}

const ref = (p: Pod) => ({ kind: 'Pod', namespace: 'default', name: p.metadata.name, uid: p.metadata.uid });
const byIP = (s: EndpointSlice) => [...(s.endpoints ?? [])].sort((x, y) => x.addresses[0].localeCompare(y.addresses[0]));

test('a slice follows its pods: contents, readiness flip, terminating pod', async () => {
  const svc = await createService('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }, { team: 'a' });
  const a = await runningPod('web-a', { app: 'web' }, '10.244.0.11', true);
  const b = await runningPod('web-b', { app: 'web' }, '10.244.0.12', false);
  await runningPod('other', { app: 'other' }, '10.244.0.13', true);

  let [slice] = await slicesWhere('web', (s) => s.length === 1 && (s[0].endpoints ?? []).length === 2);
  assert.match(slice.metadata.name!, /^web-[a-z0-9]{5}$/);
  assert.equal(slice.metadata.generateName, 'web-');
  assert.deepEqual(slice.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': managedBy });
  assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.ok(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(byIP(slice), [
    { addresses: ['10.244.0.11'], conditions: { ready: true, serving: true, terminating: false }, targetRef: ref(a), nodeName: 'node-1', zone: 'zone-a' },
    { addresses: ['10.244.0.12'], conditions: { ready: false, serving: false, terminating: false }, targetRef: ref(b), nodeName: 'node-1', zone: 'zone-a' },
  ]);

  // Readiness flips in place, in the same slice.
  await setReady(b, true);
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
  await createService('empty', { selector: { app: 'nothing' }, ports: [{ name: 'http', port: 80 }] });
  const [slice] = await slicesWhere('empty', (s) => s.length === 1);
  assert.equal(slice.endpoints, null);
  assert.equal(slice.ports, null);
  assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], managedBy);
});

test('named targetPort and headless labels', async () => {
  await createService('named', { selector: { app: 'named' }, clusterIP: 'None', ports: [{ name: 'http', port: 80, targetPort: 'web' }] });
  await runningPod('named-a', { app: 'named' }, '10.244.1.1', true, [{ name: 'web', containerPort: 8080, protocol: 'TCP' }]);
  await runningPod('named-b', { app: 'named' }, '10.244.1.2', true);
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
  await createService('named-marker', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
  await slicesWhere('named-marker', (s) => s.length === 1);
  const now = await slicesOf('named');
  assert.deepEqual(now.map((s) => s.metadata.resourceVersion).sort(), slices.map((s) => s.metadata.resourceVersion).sort());
});

test('150 pods → 2 slices (100 + 50)', async () => {
  await createService('big', { selector: { app: 'big' }, ports: [{ port: 80 }] });
  for (let i = 0; i < 150; i++) await runningPod(`big-${i}`, { app: 'big' }, `10.245.${Math.floor(i / 200)}.${(i % 200) + 1}`, true);
  const slices = await slicesWhere('big', (s) => s.reduce((n, x) => n + (x.endpoints ?? []).length, 0) === 150);
  assert.deepEqual(slices.map((s) => (s.endpoints ?? []).length).sort((x, y) => y - x), [100, 50]);
});

test('the kubernetes slice and selector-less Services are left alone', async () => {
  const [kube] = await slicesOf('kubernetes');
  await createService('manual', { ports: [{ port: 80 }] });
  await createService('marker', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
  await slicesWhere('marker', (s) => s.length === 1);
  assert.deepEqual(await slicesOf('manual'), []);
  const [kubeNow] = await slicesOf('kubernetes');
  assert.equal(kubeNow.metadata.resourceVersion, kube.metadata.resourceVersion);
});

test('a slice deleted by someone else is recreated', async () => {
  await createService('heal', { selector: { app: 'heal' }, ports: [{ port: 80 }] });
  await runningPod('heal-a', { app: 'heal' }, '10.244.3.1', true);
  const [slice] = await slicesWhere('heal', (s) => s.length === 1 && (s[0].endpoints ?? []).length === 1);
  await client.delete(slicesInfo, 'default', slice.metadata.name!);
  const [again] = await slicesWhere('heal', (s) => s.length === 1 && s[0].metadata.name !== slice.metadata.name);
  assert.deepEqual(again.endpoints!.map((e) => e.addresses[0]), ['10.244.3.1']);
});
