import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Node, Pod, Service } from '../../api/types.js';
import { endpointHash, portMapKey, reconcileEndpointSlices, toWire, type SliceReconcileInput } from './endpointslice-reconciler.js';

const controllerName = 'endpointslice-controller.k8s.io';

function svc(over: Partial<Service['spec']> = {}, labels?: Record<string, string>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ipFamilies: ['IPv4'], ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], ...over },
  };
}

function pod(name: string, ip: string | undefined, opts: { ready?: boolean; node?: string; deleting?: boolean; phase?: 'Running' | 'Succeeded' | 'Failed'; ports?: { name: string; containerPort: number }[]; hostname?: string; subdomain?: string } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:01:00Z' } : {}) },
    spec: {
      nodeName: opts.node ?? 'node-1',
      hostname: opts.hostname,
      subdomain: opts.subdomain,
      containers: [{ name: 'c', ports: (opts.ports ?? []).map((p) => ({ ...p, protocol: 'TCP' })) }],
    },
    status: {
      phase: opts.phase ?? 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2024-01-01T00:00:30Z' }],
    },
  };
}

const nodes: Record<string, Node> = {
  'node-1': { metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } },
  'node-2': { metadata: { name: 'node-2' } },
};

function input(over: Partial<SliceReconcileInput>): SliceReconcileInput {
  return { service: svc(), pods: [], existingSlices: [], node: (n) => nodes[n], maxEndpointsPerSlice: 100, controllerName, ...over };
}

let seq = 0;
/** What the API server would hand back for a created slice. */
function persisted(s: EndpointSlice): EndpointSlice {
  const out = structuredClone(s);
  out.metadata.name = `${s.metadata.generateName ?? ''}x${++seq}`;
  delete out.metadata.generateName;
  out.metadata.uid = `slice-uid-${seq}`;
  out.metadata.resourceVersion = String(seq);
  return out;
}

test('creates one slice with the exact upstream shape for ready pods', () => {
  const plan = reconcileEndpointSlices(input({ pods: [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { node: 'node-2' })] }));
  assert.equal(plan.toUpdate.length + plan.toDelete.length, 0);
  assert.deepEqual(plan.errors, []);
  assert.deepEqual(plan.toCreate, [
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: 'web-',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': controllerName },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.0.0.1'],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' },
          nodeName: 'node-1',
          zone: 'zone-a',
        },
        {
          addresses: ['10.0.0.2'],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' },
          nodeName: 'node-2',
        },
      ],
      ports: [{ name: '', port: 8080, protocol: 'TCP' }],
    },
  ]);
});

test('conditions: not ready, terminating, and publishNotReadyAddresses', () => {
  const pods = [pod('a', '10.0.0.1', { ready: false }), pod('b', '10.0.0.2', { deleting: true }), pod('c', '10.0.0.3', { deleting: true, ready: false })];
  const conds = (s: Service) => reconcileEndpointSlices(input({ service: s, pods })).toCreate[0].endpoints!.map((e) => e.conditions);
  assert.deepEqual(conds(svc()), [
    { ready: false, serving: false, terminating: false },
    { ready: false, serving: true, terminating: true },
    { ready: false, serving: false, terminating: true },
  ]);
  assert.deepEqual(conds(svc({ publishNotReadyAddresses: true })), [
    { ready: true, serving: false, terminating: false },
    { ready: true, serving: true, terminating: true },
    { ready: true, serving: false, terminating: true },
  ]);
});

test('pods without IP, Succeeded or Failed are left out', () => {
  const pods = [pod('noip', undefined), pod('done', '10.0.0.2', { phase: 'Succeeded' }), pod('failed', '10.0.0.3', { phase: 'Failed' }), pod('ok', '10.0.0.4')];
  const eps = reconcileEndpointSlices(input({ pods })).toCreate[0].endpoints!;
  assert.deepEqual(eps.map((e) => e.addresses[0]), ['10.0.0.4']);
});

test('a Service with no endpoints gets one placeholder slice, kept as is on resync', () => {
  const plan = reconcileEndpointSlices(input({ pods: [pod('noip', undefined)] }));
  assert.equal(plan.toCreate.length, 1);
  assert.deepEqual(plan.toCreate[0].ports, []);
  assert.deepEqual(plan.toCreate[0].endpoints, []);
  // As the API returns it: both lists null.
  const wire = toWire(plan.toCreate[0]);
  assert.equal(wire.endpoints, null);
  assert.equal(wire.ports, null);
  const again = reconcileEndpointSlices(input({ existingSlices: [persisted(wire)] }));
  assert.deepEqual([again.toCreate, again.toUpdate, again.toDelete], [[], [], []]);
});

test('the last pod going turns its slice into the placeholder in place', () => {
  const existing = persisted(reconcileEndpointSlices(input({ pods: [pod('a', '10.0.0.1')] })).toCreate[0]);
  const plan = reconcileEndpointSlices(input({ existingSlices: [existing] }));
  assert.deepEqual([plan.toCreate.length, plan.toDelete.length], [0, 0]);
  assert.equal(plan.toUpdate.length, 1);
  assert.equal(plan.toUpdate[0].metadata.name, existing.metadata.name);
  assert.equal(plan.toUpdate[0].metadata.resourceVersion, existing.metadata.resourceVersion);
  assert.deepEqual([plan.toUpdate[0].endpoints, plan.toUpdate[0].ports], [[], []]);
});

test('named targetPort resolves per pod; pods without the port land in a port-less slice', () => {
  const s = svc({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] });
  const pods = [pod('a', '10.0.0.1', { ports: [{ name: 'web', containerPort: 8080 }] }), pod('b', '10.0.0.2', { ports: [{ name: 'web', containerPort: 9090 }] }), pod('c', '10.0.0.3')];
  const plan = reconcileEndpointSlices(input({ service: s, pods }));
  const summary = plan.toCreate.map((sl) => [sl.ports, sl.endpoints!.map((e) => e.addresses[0])]);
  assert.deepEqual(summary, [
    [[{ name: 'http', port: 8080, protocol: 'TCP' }], ['10.0.0.1']],
    [[{ name: 'http', port: 9090, protocol: 'TCP' }], ['10.0.0.2']],
    [[], ['10.0.0.3']],
  ]);
});

test('appProtocol is carried to the slice port', () => {
  const s = svc({ ports: [{ name: 'grpc', port: 80, targetPort: 8080, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' }] });
  assert.deepEqual(reconcileEndpointSlices(input({ service: s, pods: [pod('a', '10.0.0.1')] })).toCreate[0].ports, [
    { name: 'grpc', port: 8080, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
  ]);
});

test('headless Services: headless label, hostname under the subdomain, no ports needed', () => {
  const s = svc({ clusterIP: 'None', ports: [] }, { tier: 'db' });
  const pods = [pod('a', '10.0.0.1', { hostname: 'a-host', subdomain: 'web' }), pod('b', '10.0.0.2', { hostname: 'b-host', subdomain: 'other' })];
  const [slice] = reconcileEndpointSlices(input({ service: s, pods })).toCreate;
  assert.deepEqual(slice.metadata.labels, {
    tier: 'db',
    'service.kubernetes.io/headless': '',
    'kubernetes.io/service-name': 'web',
    'endpointslice.kubernetes.io/managed-by': controllerName,
  });
  assert.deepEqual(slice.ports, []);
  assert.deepEqual(slice.endpoints!.map((e) => e.hostname), ['a-host', undefined]);
});

test('150 pods fill a slice of 100 and one of 50', () => {
  const pods = Array.from({ length: 150 }, (_, i) => pod(`p${i}`, `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`));
  const plan = reconcileEndpointSlices(input({ pods }));
  assert.deepEqual(plan.toCreate.map((s) => s.endpoints!.length), [100, 50]);
  // Adding 30 more fills the slice with room, without touching the full one.
  const existing = plan.toCreate.map(persisted);
  const more = [...pods, ...Array.from({ length: 30 }, (_, i) => pod(`q${i}`, `10.1.0.${i + 1}`))];
  const next = reconcileEndpointSlices(input({ pods: more, existingSlices: existing }));
  assert.deepEqual([next.toCreate.length, next.toDelete.length], [0, 0]);
  assert.deepEqual(next.toUpdate.map((s) => [s.metadata.name, s.endpoints!.length]), [[existing[1].metadata.name, 80]]);
});

test('minimal churn: a removed pod only rewrites its slice; nothing changes on a no-op', () => {
  const pods = [pod('a', '10.0.0.1'), pod('b', '10.0.0.2')];
  const existing = reconcileEndpointSlices(input({ pods })).toCreate.map(persisted);
  const noop = reconcileEndpointSlices(input({ pods, existingSlices: existing }));
  assert.deepEqual([noop.toCreate, noop.toUpdate, noop.toDelete], [[], [], []]);
  const removed = reconcileEndpointSlices(input({ pods: [pods[1]], existingSlices: existing }));
  assert.deepEqual(removed.toUpdate.map((s) => s.endpoints!.map((e) => e.addresses[0])), [['10.0.0.2']]);
  // A readiness flip is an in-place update of the same endpoint.
  const flipped = reconcileEndpointSlices(input({ pods: [pod('a', '10.0.0.1', { ready: false }), pods[1]], existingSlices: existing }));
  assert.deepEqual(flipped.toUpdate[0].endpoints![0].conditions, { ready: false, serving: false, terminating: false });
  // A targetRef resourceVersion difference alone is no change.
  const withRV = structuredClone(existing);
  withRV[0].endpoints![0].targetRef!.resourceVersion = '42';
  assert.equal(reconcileEndpointSlices(input({ pods, existingSlices: withRV })).toUpdate.length, 0);
});

test('Service label changes are copied onto the slices (reserved labels ignored)', () => {
  const pods = [pod('a', '10.0.0.1')];
  const existing = reconcileEndpointSlices(input({ pods })).toCreate.map(persisted);
  const s = svc({}, { team: 'x', 'kubernetes.io/service-name': 'spoof' });
  const plan = reconcileEndpointSlices(input({ service: s, pods, existingSlices: existing }));
  assert.deepEqual(plan.toUpdate[0].metadata.labels, { team: 'x', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': controllerName });
});

test('a port change recycles the old slice instead of delete + create', () => {
  const pods = [pod('a', '10.0.0.1')];
  const existing = reconcileEndpointSlices(input({ pods })).toCreate.map(persisted);
  const plan = reconcileEndpointSlices(input({ service: svc({ ports: [{ port: 80, targetPort: 9999, protocol: 'TCP' }] }), pods, existingSlices: existing }));
  assert.deepEqual([plan.toCreate.length, plan.toDelete.length], [0, 0]);
  assert.equal(plan.toUpdate[0].metadata.name, existing[0].metadata.name);
  assert.deepEqual(plan.toUpdate[0].ports, [{ name: '', port: 9999, protocol: 'TCP' }]);
  assert.equal(plan.toUpdate[0].metadata.generateName, 'web-');
});

test('slices not owned by the Service (an old one of the same name) are deleted', () => {
  const pods = [pod('a', '10.0.0.1')];
  const old = persisted(reconcileEndpointSlices(input({ service: { ...svc(), metadata: { ...svc().metadata, uid: 'old-uid' } }, pods })).toCreate[0]);
  const plan = reconcileEndpointSlices(input({ pods, existingSlices: [old] }));
  assert.deepEqual(plan.toDelete.map((s) => s.metadata.name), [old.metadata.name]);
  assert.equal(plan.toCreate.length, 1);
});

test('pods on an unknown Node are skipped and reported, unless publishNotReadyAddresses', () => {
  const pods = [pod('a', '10.0.0.1', { node: 'ghost' }), pod('b', '10.0.0.2')];
  const plan = reconcileEndpointSlices(input({ pods }));
  assert.deepEqual(plan.toCreate[0].endpoints!.map((e) => e.addresses[0]), ['10.0.0.2']);
  assert.deepEqual(plan.errors, ['skipping Pod a for Service default/web: Node ghost Not Found']);
  const pub = reconcileEndpointSlices(input({ service: svc({ publishNotReadyAddresses: true }), pods }));
  assert.deepEqual(pub.toCreate[0].endpoints!.map((e) => [e.addresses[0], e.zone]), [['10.0.0.1', undefined], ['10.0.0.2', 'zone-a']]);
  assert.deepEqual(pub.errors, []);
});

test('trigger time annotation in RFC3339Nano; none while the Service is being deleted', () => {
  const t = new Date('2024-01-01T00:00:30.120Z');
  const plan = reconcileEndpointSlices(input({ pods: [pod('a', '10.0.0.1')], triggerTime: t }));
  assert.deepEqual(plan.toCreate[0].metadata.annotations, { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-01-01T00:00:30.12Z' });
  const deleting = svc();
  deleting.metadata.deletionTimestamp = '2024-01-01T00:02:00Z';
  assert.equal(reconcileEndpointSlices(input({ service: deleting, pods: [pod('a', '10.0.0.1')] })).toCreate.length, 0);
});

test('dual-stack headless Services without ipFamilies get a slice per family', () => {
  const s = svc({ clusterIP: 'None', ipFamilies: undefined });
  const p = pod('a', '10.0.0.1');
  p.status!.podIPs = [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }];
  const plan = reconcileEndpointSlices(input({ service: s, pods: [p] }));
  assert.deepEqual(plan.toCreate.map((sl) => [sl.addressType, sl.endpoints!.map((e) => e.addresses)]), [
    ['IPv4', [['10.0.0.1']]],
    ['IPv6', [['fd00::1']]],
  ]);
});

test('keys: port order and address order do not matter', () => {
  assert.equal(portMapKey([{ name: 'a', port: 1, protocol: 'TCP' }, { name: 'b', port: 2, protocol: 'TCP' }]), portMapKey([{ name: 'b', port: 2, protocol: 'TCP' }, { name: 'a', port: 1, protocol: 'TCP' }]));
  assert.equal(portMapKey(null), portMapKey([]));
  assert.equal(endpointHash({ addresses: ['b', 'a'] }), endpointHash({ addresses: ['a', 'b'] }));
});
