import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import type { Service, ServiceSpec } from '../../api/types.js';
import { ClusterIPAllocator } from './clusterip-allocator.js';
import { NodePortAllocator } from './nodeport-allocator.js';
import { ServiceAllocator } from './service-allocation.js';

function setup(): ServiceAllocator {
  return new ServiceAllocator(new ClusterIPAllocator('10.96.0.0/12'), new NodePortAllocator('30000-32767'));
}

function svc(name: string, spec: Partial<ServiceSpec>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'ClusterIP', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }], ...spec },
  };
}

const clone = (s: Service): Service => structuredClone(s);

function apiErr(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail('expected an ApiError');
}

test('create ClusterIP: allocates from the dynamic band and fills family fields', () => {
  const al = setup();
  const s = svc('web', {});
  al.beginCreate(s).commit();
  assert.ok(s.spec.clusterIP);
  assert.deepEqual(s.spec.clusterIPs, [s.spec.clusterIP]);
  assert.deepEqual(s.spec.ipFamilies, ['IPv4']);
  assert.equal(s.spec.ipFamilyPolicy, 'SingleStack');
  assert.ok(al.clusterIPs.has(s.spec.clusterIP as string));
  const n = s.spec.clusterIP!.split('.').map(Number);
  assert.ok(n[2] * 256 + n[3] - 1 >= 256, 'outside the static band 10.96.0.1-10.96.1.0');
});

test('create with a requested IP: singular field only (old client) and static band', () => {
  const al = setup();
  const s = svc('kube-dns', { clusterIP: '10.96.0.10' });
  al.beginCreate(s).commit();
  assert.deepEqual(s.spec.clusterIPs, ['10.96.0.10']);
  assert.ok(al.clusterIPs.has('10.96.0.10'));
});

test('ClusterIP errors are 422 on spec.clusterIPs as upstream', () => {
  const al = setup();
  const e = apiErr(() => al.beginCreate(svc('web', { clusterIP: '1.1.1.1', clusterIPs: ['1.1.1.1'] })));
  assert.equal(e.code, 422);
  assert.equal(
    e.message,
    'Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
  );
  al.beginCreate(svc('a', { clusterIP: '10.96.0.5' })).commit();
  const dup = apiErr(() => al.beginCreate(svc('b', { clusterIP: '10.96.0.5' })));
  assert.equal(dup.message, 'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated');
  assert.deepEqual(dup.status.details?.causes?.[0], {
    reason: 'FieldValueInvalid',
    message: 'Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated',
    field: 'spec.clusterIPs',
  });
});

test('full IP range is an Internal error', () => {
  const al = new ServiceAllocator(new ClusterIPAllocator('10.0.0.0/30'), new NodePortAllocator());
  al.beginCreate(svc('a', {})).commit();
  al.beginCreate(svc('b', {})).commit();
  const e = apiErr(() => al.beginCreate(svc('c', {})));
  assert.equal(e.code, 500);
  assert.equal(e.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
});

test('headless and ExternalName get no IP', () => {
  const al = setup();
  const h = svc('h', { clusterIP: 'None' });
  al.beginCreate(h).commit();
  assert.deepEqual(h.spec.clusterIPs, ['None']);
  assert.deepEqual(h.spec.ipFamilies, ['IPv4']);
  assert.equal(h.spec.ipFamilyPolicy, 'SingleStack');
  const hs = svc('hs', { clusterIP: 'None', selector: undefined });
  al.beginCreate(hs).commit();
  assert.equal(hs.spec.ipFamilyPolicy, 'RequireDualStack');
  assert.deepEqual(hs.spec.ipFamilies, ['IPv4', 'IPv6']);
  const x = svc('x', { type: 'ExternalName', externalName: 'example.com' });
  al.beginCreate(x).commit();
  assert.equal(x.spec.clusterIP, undefined);
  assert.equal(x.spec.ipFamilies, undefined);
  assert.equal(al.clusterIPs.used(), 0);
});

test('dual-stack requests are rejected on this IPv4 cluster', () => {
  const al = setup();
  const e = apiErr(() => al.beginCreate(svc('d', { ipFamilyPolicy: 'RequireDualStack' })));
  assert.equal(e.message, 'Service "d" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services');
  const f = apiErr(() => al.beginCreate(svc('f', { ipFamilies: ['IPv6'] })));
  assert.equal(f.message, 'Service "f" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster');
  const p = svc('p', { ipFamilyPolicy: 'PreferDualStack' });
  al.beginCreate(p).commit();
  assert.deepEqual(p.spec.ipFamilies, ['IPv4']);
});

test('NodePort out of range: the exact kubectl message', () => {
  const al = setup();
  const e = apiErr(() => al.beginCreate(svc('web-nodeport', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })));
  assert.equal(e.code, 422);
  assert.equal(
    `The ${e.message}`,
    'The Service "web-nodeport" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  assert.equal(al.clusterIPs.used(), 0, 'the ClusterIP taken before the port failure is given back');
});

test('NodePort already allocated names the failing port index', () => {
  const al = setup();
  al.beginCreate(svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })).commit();
  const e = apiErr(() =>
    al.beginCreate(svc('web', { type: 'NodePort', ports: [{ name: 'a', port: 81, nodePort: 30081 }, { name: 'b', port: 80, nodePort: 30080 }] })),
  );
  assert.equal(e.message, 'Service "web" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated');
  assert.equal(al.nodePorts.has(30081), false, 'ports taken earlier in the failed request are released');
  assert.deepEqual(al.nodePorts.allocated(), [30080]);
});

test('NodePort allocation: dynamic band, TCP and UDP share one nodePort', () => {
  const al = setup();
  const s = svc('dns', {
    type: 'NodePort',
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
  });
  al.beginCreate(s).commit();
  const [udp, tcp, metrics] = s.spec.ports!.map((p) => p.nodePort as number);
  assert.equal(udp, tcp);
  assert.notEqual(udp, metrics);
  assert.ok(udp >= 30086 && metrics >= 30086);
  assert.equal(al.nodePorts.used(), 2);

  const req = svc('req', { type: 'NodePort', ports: [{ name: 'u', port: 53, protocol: 'UDP' }, { name: 't', port: 53, protocol: 'TCP', nodePort: 30053 }] });
  al.beginCreate(req).commit();
  assert.deepEqual(req.spec.ports!.map((p) => p.nodePort), [30053, 30053]);
});

test('LoadBalancer: allocateLoadBalancerNodePorts and healthCheckNodePort', () => {
  const al = setup();
  const noPorts = svc('lb0', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false });
  al.beginCreate(noPorts).commit();
  assert.equal(noPorts.spec.ports![0].nodePort, undefined);
  const local = svc('lb1', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
  al.beginCreate(local).commit();
  assert.ok(local.spec.ports![0].nodePort);
  assert.ok(local.spec.healthCheckNodePort);
  assert.equal(al.nodePorts.used(), 2);
  const hc = local.spec.healthCheckNodePort as number;
  const e = apiErr(() => al.beginCreate(svc('lb2', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: hc })));
  assert.equal(e.code, 500);
  assert.equal(e.message, `Internal error occurred: failed to allocate requested HealthCheck NodePort ${hc}: provided port is already allocated`);
  assert.equal(al.nodePorts.used(), 2, 'the nodePort allocated before the failure is reverted');
});

test('transactions: revert frees what was allocated', () => {
  const al = setup();
  const s = svc('web', { type: 'NodePort' });
  const txn = al.beginCreate(s);
  assert.equal(al.clusterIPs.used(), 1);
  assert.equal(al.nodePorts.used(), 1);
  txn.revert();
  txn.commit(); // no effect after revert
  assert.equal(al.clusterIPs.used(), 0);
  assert.equal(al.nodePorts.used(), 0);
});

test('dry run reserves nothing but reports conflicts', () => {
  const al = setup();
  al.beginCreate(svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })).commit();
  const s = svc('b', { type: 'NodePort' });
  al.beginCreate(s, { dryRun: true }).commit();
  assert.equal(al.clusterIPs.used(), 1);
  assert.equal(al.nodePorts.used(), 1);
  const e = apiErr(() => al.beginCreate(svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), { dryRun: true }));
  assert.match(e.message, /provided port is already allocated/);
});

test('update LoadBalancer → ClusterIP releases nodePorts only on commit', () => {
  const al = setup();
  const old = svc('web', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
  al.beginCreate(old).commit();
  assert.equal(al.nodePorts.used(), 2);
  const next = clone(old);
  next.spec.type = 'ClusterIP';
  delete next.spec.externalTrafficPolicy;
  delete next.spec.healthCheckNodePort;
  next.spec.ports![0].nodePort = undefined;

  const reverted = al.beginUpdate(clone(next), old);
  assert.equal(al.nodePorts.used(), 2, 'nothing released before commit');
  reverted.revert();
  assert.equal(al.nodePorts.used(), 2, 'revert keeps the old ports');

  al.beginUpdate(next, old).commit();
  assert.equal(al.nodePorts.used(), 0);
  assert.equal(al.clusterIPs.used(), 1, 'the ClusterIP stays');
});

test('update ClusterIP → ExternalName releases the IP on commit; back allocates anew', () => {
  const al = setup();
  const old = svc('web', {});
  al.beginCreate(old).commit();
  const ext: Service = { ...clone(old), spec: { type: 'ExternalName', externalName: 'example.com', ports: old.spec.ports } };
  const txn = al.beginUpdate(ext, old);
  assert.equal(al.clusterIPs.used(), 1);
  txn.commit();
  assert.equal(al.clusterIPs.used(), 0);

  const back = svc('web', {});
  al.beginUpdate(back, ext).commit();
  assert.ok(back.spec.clusterIP);
  assert.equal(al.clusterIPs.used(), 1);
});

test('update ClusterIP → NodePort allocates; an update omitting nodePorts keeps them', () => {
  const al = setup();
  const old = svc('web', {});
  al.beginCreate(old).commit();
  const np = clone(old);
  np.spec.type = 'NodePort';
  al.beginUpdate(np, old).commit();
  const port = np.spec.ports![0].nodePort as number;
  assert.ok(al.nodePorts.has(port));

  // A PUT without clusterIP(s) and nodePort keeps the allocated values.
  const put = svc('web', { type: 'NodePort' });
  al.beginUpdate(put, np).commit();
  assert.equal(put.spec.ports![0].nodePort, port);
  assert.equal(put.spec.clusterIP, np.spec.clusterIP);
  assert.equal(al.nodePorts.used(), 1);

  // Changing the nodePort: the new one is taken now, the old released on commit.
  const moved = clone(put);
  moved.spec.ports![0].nodePort = 30000;
  const txn = al.beginUpdate(moved, put);
  assert.ok(al.nodePorts.has(30000) && al.nodePorts.has(port));
  txn.commit();
  assert.deepEqual(al.nodePorts.allocated(), [30000]);

  const bad = clone(moved);
  bad.spec.ports![0].nodePort = 8080;
  const e = apiErr(() => al.beginUpdate(bad, moved));
  assert.equal(e.message, 'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767');
  assert.deepEqual(al.nodePorts.allocated(), [30000]);
});

test('update to externalTrafficPolicy Local allocates a healthCheckNodePort; back releases it on commit', () => {
  const al = setup();
  const old = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' });
  al.beginCreate(old).commit();
  const local = clone(old);
  local.spec.externalTrafficPolicy = 'Local';
  al.beginUpdate(local, old).commit();
  assert.ok(local.spec.healthCheckNodePort);
  assert.equal(al.nodePorts.used(), 2);
  const cluster = clone(local);
  cluster.spec.externalTrafficPolicy = 'Cluster';
  delete cluster.spec.healthCheckNodePort;
  al.beginUpdate(cluster, local).commit();
  assert.equal(al.nodePorts.used(), 1);
});

test('releaseAll on delete', () => {
  const al = setup();
  const s = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
  al.beginCreate(s).commit();
  al.releaseAll(s);
  assert.equal(al.clusterIPs.used(), 0);
  assert.equal(al.nodePorts.used(), 0);
  al.releaseAll(svc('h', { clusterIP: 'None', clusterIPs: ['None'] }));
});

test('repair rebuilds state and reports duplicates and out-of-range values', () => {
  const al = setup();
  const services = [
    svc('kubernetes', { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'] }),
    svc('a', { type: 'NodePort', clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }, { port: 53, protocol: 'TCP', nodePort: 30053 }] }),
    svc('b', { type: 'NodePort', clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], ports: [{ port: 80, nodePort: 30053 }] }),
    svc('c', { type: 'NodePort', clusterIP: '192.168.0.1', clusterIPs: ['192.168.0.1'], ports: [{ port: 80, nodePort: 8080 }] }),
    svc('h', { clusterIP: 'None', clusterIPs: ['None'] }),
  ];
  const report = al.repair(services);
  assert.deepEqual(al.clusterIPs.allocated(), ['10.96.0.1', '10.96.5.5']);
  assert.deepEqual(al.nodePorts.allocated(), [30053]);
  assert.deepEqual(
    report.events.map((e) => [e.name, e.reason, e.message]),
    [
      ['b', 'ClusterIPAlreadyAllocated', 'Cluster IP [IPv4]:10.96.5.5 was assigned to multiple services; please recreate service'],
      ['b', 'PortAlreadyAllocated', 'Port 30053 was assigned to multiple services; please recreate service'],
      ['c', 'ClusterIPOutOfRange', 'Cluster IP [IPv4]:192.168.0.1 is not within the configured Service CIDR 10.96.0.0/12; please recreate service'],
      ['c', 'PortOutOfRange', 'Port 8080 is not within the port range 30000-32767; please recreate service'],
    ],
  );

  // A later repair over the same allocators reports leaks and values it had to add.
  al.clusterIPs.allocate('10.96.9.9');
  al.nodePorts.release(30053);
  const again = al.repair(services.slice(0, 2));
  assert.deepEqual(again.leakedIPs, ['10.96.9.9']);
  assert.equal(al.clusterIPs.has('10.96.9.9'), false);
  assert.deepEqual(again.events.map((e) => e.reason), ['PortNotAllocated']);
});
