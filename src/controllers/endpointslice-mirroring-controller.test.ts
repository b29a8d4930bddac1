import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Endpoints, Service } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../testing/controller-harness.js';
import { createService } from '../testing/service-objects.js';
import { waitFor } from '../testing/wait.js';
import { newEndpointSliceMirroringController, reconcileMirroredSlices, shouldMirror } from './endpointslice-mirroring-controller.js';

const servicesInfo = resourceFor('services');
const endpointsInfo = resourceFor('endpoints');
const slicesInfo = resourceFor('endpointslices', 'discovery.k8s.io');
const managedBy = 'endpointslicemirroring-controller.k8s.io';

// ---- pure ----

function endpoints(subsets: Endpoints['subsets'], meta: Partial<Endpoints['metadata']> = {}): Endpoints {
  return { metadata: { name: 'ext', namespace: 'default', uid: 'ep-uid', ...meta }, subsets };
}

test('shouldMirror: skip-mirror label and leader-election records', () => {
  assert.equal(shouldMirror(endpoints([])), true);
  assert.equal(shouldMirror(endpoints([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } })), false);
  assert.equal(shouldMirror(endpoints([], { annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } })), false);
});

test('one slice per subset and family; invalid IPs and addresses past the limit are skipped', () => {
  const ep = endpoints([
    { addresses: [{ ip: '10.0.0.1' }, { ip: 'not-an-ip' }, { ip: 'fd00::1' }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports: [{ port: 80, protocol: 'TCP' }] },
    { addresses: [{ ip: '10.0.1.1' }, { ip: '10.0.1.2' }, { ip: '10.0.1.3' }], ports: [{ name: 'x', port: 81, protocol: 'UDP' }] },
  ]);
  const plan = reconcileMirroredSlices(ep, [], 2);
  assert.equal(plan.invalidAddresses, 1);
  assert.equal(plan.skippedAddresses, 2);
  assert.deepEqual(
    plan.toCreate.map((s) => [s.addressType, s.ports, s.endpoints!.map((e) => [e.addresses[0], e.conditions?.ready])]),
    [
      ['IPv4', [{ name: '', port: 80, protocol: 'TCP' }], [['10.0.0.1', true]]],
      ['IPv6', [{ name: '', port: 80, protocol: 'TCP' }], [['fd00::1', true]]],
      ['IPv4', [{ name: 'x', port: 81, protocol: 'UDP' }], [['10.0.1.1', true], ['10.0.1.2', true]]],
    ],
  );
});

// ---- against the API ----

let h: ControllerHarness;
let client: ApiClient;

before(async () => {
  h = await startControllerHarness({ controllers: [newEndpointSliceMirroringController] });
  client = h.client;
});

after(() => h.stop());

async function mirrored(service: string): Promise<EndpointSlice[]> {
  const list = await client.list<EndpointSlice>(slicesInfo, 'default', { labelSelector: `kubernetes.io/service-name=${service},endpointslice.kubernetes.io/managed-by=${managedBy}` });
  return list.items;
}

function mirroredWhere(service: string, check: (s: EndpointSlice[]) => boolean): Promise<EndpointSlice[]> {
  return waitFor(async () => {
    const s = await mirrored(service);
    return check(s) ? s : undefined;
  }, 10_000, `mirrored slices of ${service}`);
}

test('user Endpoints of a selector-less Service are mirrored, updated, and cleaned up', async () => {
  await createService(client, 'ext', { ports: [{ name: 'http', port: 80 }] });
  const ep = await client.create<Endpoints>(endpointsInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: 'ext',
      labels: { team: 'a' },
      annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': '2024-01-01T00:00:00Z' },
    },
    subsets: [
      {
        addresses: [{ ip: '192.168.1.10', hostname: 'db1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'db1', uid: 'u1' } }],
        notReadyAddresses: [{ ip: '192.168.1.11' }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ],
  });

  let [slice] = await mirroredWhere('ext', (s) => s.length === 1);
  assert.match(slice.metadata.name!, /^ext-[a-z0-9]{5}$/);
  assert.deepEqual(slice.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': managedBy });
  assert.deepEqual(slice.metadata.annotations, { note: 'x' });
  assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: ep.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(slice.endpoints, [
    { addresses: ['192.168.1.10'], conditions: { ready: true }, hostname: 'db1', targetRef: { kind: 'Pod', namespace: 'default', name: 'db1', uid: 'u1' }, nodeName: 'node-1' },
    { addresses: ['192.168.1.11'], conditions: { ready: false } },
  ]);

  // An edit of the Endpoints rewrites the same slice.
  const fresh = await client.get<Endpoints>(endpointsInfo, 'default', 'ext');
  fresh.subsets = [{ addresses: [{ ip: '192.168.1.12' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }];
  await client.update(endpointsInfo, fresh);
  const name = slice.metadata.name;
  [slice] = await mirroredWhere('ext', (s) => s.length === 1 && s[0].endpoints?.[0]?.addresses[0] === '192.168.1.12');
  assert.equal(slice.metadata.name, name);
  assert.equal(slice.endpoints!.length, 1);

  // Deleting the Endpoints removes the mirror.
  await client.delete(endpointsInfo, 'default', 'ext');
  await mirroredWhere('ext', (s) => s.length === 0);
});

test('a Service gaining a selector loses its mirrored slices', async () => {
  const svc = await createService(client, 'flip', { ports: [{ port: 80 }] });
  await client.create<Endpoints>(endpointsInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'flip' },
    subsets: [{ addresses: [{ ip: '192.168.2.1' }], ports: [{ port: 80, protocol: 'TCP' }] }],
  });
  await mirroredWhere('flip', (s) => s.length === 1);
  const fresh = await client.get<Service>(servicesInfo, 'default', svc.metadata.name!);
  fresh.spec.selector = { app: 'flip' };
  await client.update(servicesInfo, fresh);
  await mirroredWhere('flip', (s) => s.length === 0);
});

test('the kubernetes Endpoints (skip-mirror) and Endpoints without a Service are not mirrored', async () => {
  await client.create<Endpoints>(endpointsInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'orphan' },
    subsets: [{ addresses: [{ ip: '192.168.3.1' }], ports: [{ port: 80, protocol: 'TCP' }] }],
  });
  // A later mirrored Service shows the controller has processed what came before.
  await createService(client, 'later', { ports: [{ port: 80 }] });
  await client.create<Endpoints>(endpointsInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'later' },
    subsets: [{ addresses: [{ ip: '192.168.3.2' }], ports: [{ port: 80, protocol: 'TCP' }] }],
  });
  await mirroredWhere('later', (s) => s.length === 1);
  assert.deepEqual(await mirrored('kubernetes'), []);
  assert.deepEqual(await mirrored('orphan'), []);
});
