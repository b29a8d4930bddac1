import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointPort, EndpointSubset, Endpoints, Pod, Service } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { createRunningPod, createService, podRef, setPodReady } from '../testing/service-objects.js';
import { waitFor } from '../testing/wait.js';
import { newEndpointsController, repackSubsets, truncateEndpoints } from './endpoints-controller.js';

const podsInfo = resourceFor('pods');
const servicesInfo = resourceFor('services');
const endpointsInfo = resourceFor('endpoints');

// ---- pure ----

const addr = (ip: string, uid = `uid-${ip}`) => ({ ip, targetRef: { kind: 'Pod', namespace: 'default', name: `p-${ip}`, uid } });

test('repackSubsets groups addresses by the ports they offer; not ready trumps ready', () => {
  const http: EndpointPort = { name: 'http', port: 80, protocol: 'TCP' };
  const dns: EndpointPort = { name: 'dns', port: 53, protocol: 'UDP' };
  const subsets: EndpointSubset[] = [
    { addresses: [addr('10.0.0.2')], ports: [http] },
    { addresses: [addr('10.0.0.1')], ports: [http] },
    { addresses: [addr('10.0.0.1')], ports: [dns] },
    { notReadyAddresses: [addr('10.0.0.2')], ports: [dns] },
    { addresses: [addr('10.0.0.3')], ports: [http] },
    { notReadyAddresses: [addr('10.0.0.3')], ports: [http] },
  ];
  const out = repackSubsets(subsets);
  const norm = out.map((s) => ({ r: (s.addresses ?? []).map((a) => a.ip), n: (s.notReadyAddresses ?? []).map((a) => a.ip), p: (s.ports ?? []).map((p) => p.name) }));
  assert.deepEqual(
    norm.sort((a, b) => a.p.join().localeCompare(b.p.join())),
    [
      { r: ['10.0.0.1'], n: ['10.0.0.2'], p: ['dns'] },
      { r: ['10.0.0.1', '10.0.0.2'], n: ['10.0.0.3'], p: ['http'] },
    ],
  );
});

test('repackSubsets merges ports offered by the same addresses and keeps port-less subsets', () => {
  const a: EndpointPort = { name: 'a', port: 1, protocol: 'TCP' };
  const b: EndpointPort = { name: 'b', port: 2, protocol: 'TCP' };
  const out = repackSubsets([
    { addresses: [addr('10.0.0.1')], ports: [a] },
    { addresses: [addr('10.0.0.1')], ports: [b] },
  ]);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0].ports!.map((p) => p.name).sort(), ['a', 'b']);
  const headless = repackSubsets([{ addresses: [addr('10.0.0.2')], ports: [] }, { notReadyAddresses: [addr('10.0.0.1')], ports: [] }]);
  assert.deepEqual(headless, [{ addresses: [addr('10.0.0.2')], notReadyAddresses: [addr('10.0.0.1')] }]);
});

test('truncateEndpoints keeps 1000, ready first, proportionally', () => {
  const many = (n: number, base: number) => Array.from({ length: n }, (_, i) => addr(`10.${base}.${Math.floor(i / 250)}.${i % 250}`));
  const subsets: EndpointSubset[] = [{ addresses: many(600, 1), notReadyAddresses: many(300, 2) }, { addresses: many(200, 3), notReadyAddresses: many(100, 4) }];
  assert.equal(truncateEndpoints(subsets), true);
  assert.deepEqual(subsets.map((s) => [s.addresses!.length, s.notReadyAddresses!.length]), [[600, 150], [200, 50]]);
  const tooManyReady: EndpointSubset[] = [{ addresses: many(900, 1), notReadyAddresses: many(10, 2) }, { addresses: many(300, 3) }];
  assert.equal(truncateEndpoints(tooManyReady), true);
  assert.deepEqual(tooManyReady.map((s) => [s.addresses!.length, s.notReadyAddresses?.length ?? 0]), [[750, 0], [250, 0]]);
  assert.equal(truncateEndpoints([{ addresses: many(10, 1) }]), false);
});

// ---- against the API ----

let h: ControllerHarness;
let client: ApiClient;

before(async () => {
  h = await startControllerHarness({ controllers: [newEndpointsController] });
  client = h.client;
});

after(() => h.stop());

async function getEndpoints(name: string): Promise<Endpoints | undefined> {
  try {
    return await client.get<Endpoints>(endpointsInfo, 'default', name);
  } catch {
    return undefined;
  }
}

/** Waits until the Endpoints exist and satisfy check. */
function endpointsWhere(name: string, check: (ep: Endpoints) => boolean): Promise<Endpoints> {
  return waitFor(async () => {
    const ep = await getEndpoints(name);
    return ep && check(ep) ? ep : undefined;
  }, 10_000, `endpoints ${name}`);
}

test('Endpoints list ready and not-ready pods, follow readiness and deletion', async () => {
  const svc = await createService(client, 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }, { team: 'a' });
  const a = await createRunningPod(client, 'web-a', { app: 'web' }, '10.244.0.11', true);
  const b = await createRunningPod(client, 'web-b', { app: 'web' }, '10.244.0.12', false);
  await createRunningPod(client, 'other', { app: 'other' }, '10.244.0.13', true);

  let ep = await endpointsWhere('web', (e) => e.subsets?.[0]?.addresses?.length === 1 && e.subsets?.[0]?.notReadyAddresses?.length === 1);
  assert.deepEqual(ep.metadata.labels, { team: 'a' });
  assert.match(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.deepEqual(ep.subsets, [
    {
      addresses: [{ ip: '10.244.0.11', nodeName: 'node-1', targetRef: podRef(a) }],
      notReadyAddresses: [{ ip: '10.244.0.12', nodeName: 'node-1', targetRef: podRef(b) }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ]);
  assert.equal(svc.metadata.name, 'web');

  // Readiness flip: a moves to notReadyAddresses.
  await setPodReady(client, a, false);
  ep = await endpointsWhere('web', (e) => (e.subsets?.[0]?.notReadyAddresses?.length ?? 0) === 2);
  assert.equal(ep.subsets![0].addresses, undefined);

  // A pod being deleted (graceful: it is bound to a node) leaves the Endpoints.
  await client.delete(podsInfo, 'default', 'web-b');
  ep = await endpointsWhere('web', (e) => (e.subsets?.[0]?.notReadyAddresses?.length ?? 0) === 1);
  assert.deepEqual(ep.subsets![0].notReadyAddresses!.map((x) => x.ip), ['10.244.0.11']);

  // The Service going takes its Endpoints with it.
  await client.delete(servicesInfo, 'default', 'web');
  await waitFor(async () => ((await getEndpoints('web')) ? undefined : true), 10_000, 'endpoints web deleted');
});

test('named targetPort: pods lacking the port are left out for it', async () => {
  await createService(client, 'named', { selector: { app: 'named' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] });
  const a = await createRunningPod(client, 'named-a', { app: 'named' }, '10.244.1.1', true, [{ name: 'web', containerPort: 8080, protocol: 'TCP' }]);
  const b = await createRunningPod(client, 'named-b', { app: 'named' }, '10.244.1.2', true, [{ name: 'web', containerPort: 9090, protocol: 'TCP' }]);
  await createRunningPod(client, 'named-c', { app: 'named' }, '10.244.1.3', true, [{ name: 'other', containerPort: 8080, protocol: 'TCP' }]);
  const ep = await endpointsWhere('named', (e) => (e.subsets?.length ?? 0) === 2);
  const bySubsetPort = ep.subsets!.map((s) => [s.ports![0].port, s.addresses!.map((x) => x.targetRef!.name)]).sort();
  assert.deepEqual(bySubsetPort, [
    [8080, [a.metadata.name]],
    [9090, [b.metadata.name]],
  ]);
});

test('headless Service: headless label, hostname for its subdomain, no ports needed', async () => {
  await createService(client, 'db', { selector: { app: 'db' }, clusterIP: 'None' });
  const pod = await client.create<Pod>(podsInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', labels: { app: 'db' } },
    spec: { nodeName: 'node-1', hostname: 'db-0', subdomain: 'db', containers: [{ name: 'c', image: 'postgres' }] },
  });
  await setPodReady(client, pod, true, '10.244.2.1');
  const ep = await endpointsWhere('db', (e) => (e.subsets?.length ?? 0) === 1);
  assert.deepEqual(ep.metadata.labels, { 'service.kubernetes.io/headless': '' });
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '10.244.2.1', hostname: 'db-0', nodeName: 'node-1', targetRef: podRef(pod) }] }]);

  // A resync that changes nothing writes nothing.
  const svc = await client.get<Service>(servicesInfo, 'default', 'db');
  svc.metadata.annotations = { touched: 'yes' };
  await client.update(servicesInfo, svc);
  await createService(client, 'db-marker', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
  await endpointsWhere('db-marker', () => true);
  assert.equal((await getEndpoints('db'))!.metadata.resourceVersion, ep.metadata.resourceVersion);
});

test('a Service with no pods gets Endpoints without subsets; ExternalName gets none', async () => {
  await createService(client, 'empty', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
  const ep = await endpointsWhere('empty', () => true);
  assert.equal(ep.subsets, undefined);
  await createService(client, 'ext', { type: 'ExternalName', externalName: 'example.com' });
  await createService(client, 'marker', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
  await endpointsWhere('marker', () => true);
  assert.equal(await getEndpoints('ext'), undefined);
});

test('selector-less Services keep user Endpoints, and the kubernetes Endpoints are left alone', async () => {
  const before = await client.get<Endpoints>(endpointsInfo, 'default', 'kubernetes');
  await createService(client, 'manual', { ports: [{ port: 80 }] });
  const manual = await client.create<Endpoints>(endpointsInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'manual' },
    subsets: [{ addresses: [{ ip: '192.168.1.10' }], ports: [{ port: 80, protocol: 'TCP' }] }],
  });
  // Let the controller see both (a later Service it does manage proves it has run).
  await createService(client, 'marker2', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
  await endpointsWhere('marker2', () => true);
  const after = await client.get<Endpoints>(endpointsInfo, 'default', 'kubernetes');
  assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  const manualNow = await client.get<Endpoints>(endpointsInfo, 'default', 'manual');
  assert.equal(manualNow.metadata.resourceVersion, manual.metadata.resourceVersion);
});
