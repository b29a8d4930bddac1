import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service } from '../api/types.js';
import { ServiceChangeTracker } from './service-change-tracker.js';
import { ServiceMap } from './service-map.js';
import { EndpointsChangeTracker } from './endpoints-change-tracker.js';
import { EndpointsMap } from './endpoints-map.js';
import { servicePortsOf, sourceRangeAllows } from './service-port.js';

function svc(name: string, spec: Partial<Service['spec']> = {}, extra: Partial<Service> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns', resourceVersion: '1' },
    spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
    ...extra,
  };
}

function slice(name: string, service: string, ips: string[], o: { ready?: boolean; port?: number; portName?: string } = {}): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'ns', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: o.ready ?? true }, nodeName: 'node-1' })),
    ports: [{ name: o.portName ?? 'http', port: o.port ?? 8080, protocol: 'TCP' }],
  };
}

test('servicePortsOf: skips headless, ExternalName and SCTP; reads policies, affinity, LB IPs and the balance annotation', () => {
  assert.equal(servicePortsOf(svc('h', { clusterIP: 'None', clusterIPs: ['None'] })).size, 0);
  assert.equal(servicePortsOf(svc('e', { type: 'ExternalName', externalName: 'x.example.com' })).size, 0);
  assert.equal(servicePortsOf(svc('s', { ports: [{ port: 9, protocol: 'SCTP' }] })).size, 0);
  const lb = servicePortsOf(
    svc(
      'lb',
      { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] },
      {
        metadata: { name: 'lb', namespace: 'ns', annotations: { 'kanzen.io/proxy-balance': 'random' } },
        status: { loadBalancer: { ingress: [{ ip: '127.0.100.1' }, { ip: '127.0.100.2', ipMode: 'Proxy' }, { hostname: 'lb.example.com' }] } },
      },
    ),
  );
  const info = lb.get('ns/lb:http/TCP')!;
  assert.equal(info.nodePort, 30080);
  assert.equal(info.externalPolicyLocal, true);
  assert.equal(info.healthCheckNodePort, 32000);
  assert.equal(info.stickyMaxAgeSeconds, 10800);
  assert.deepEqual(info.loadBalancerIPs, ['127.0.100.1']);
  assert.equal(info.balance, 'random');
  // externalTrafficPolicy means nothing for a ClusterIP Service without externalIPs.
  const cip = servicePortsOf(svc('c', { externalTrafficPolicy: 'Local' })).get('ns/c:http/TCP')!;
  assert.equal(cip.externalPolicyLocal, false);
  assert.equal(cip.healthCheckNodePort, 0);
});

test('servicePortsOf: loadBalancerSourceRanges of a LoadBalancer, canonical and IPv4 only; sourceRangeAllows checks a client against them', () => {
  const ports = { type: 'LoadBalancer' as const, loadBalancerSourceRanges: [' 127.0.0.9/29', '10.1.2.3/32', 'fd00::/8'], ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' as const }] };
  const info = servicePortsOf(svc('lb', ports)).get('ns/lb:http/TCP')!;
  assert.deepEqual(info.loadBalancerSourceRanges, ['127.0.0.8/29', '10.1.2.3/32']);
  assert.equal(sourceRangeAllows(info, '127.0.0.15'), true);
  assert.equal(sourceRangeAllows(info, '::ffff:10.1.2.3'), true);
  assert.equal(sourceRangeAllows(info, '127.0.0.16'), false);
  assert.equal(sourceRangeAllows({ loadBalancerSourceRanges: [] }, '192.0.2.1'), true, 'no ranges: anyone');
  // A change of the ranges alone is a change of the port (the proxy must sync it).
  const t = new ServiceChangeTracker();
  const a = svc('lb', ports);
  t.update(undefined, a);
  new ServiceMap().update(t);
  assert.equal(t.update(a, svc('lb', { ...ports, loadBalancerSourceRanges: ['127.0.0.0/24'] })), true);
});

test('ServiceChangeTracker: a change back to the applied state cancels itself; the map reports changed ports only', () => {
  const t = new ServiceChangeTracker();
  const m = new ServiceMap();
  const a = svc('a');
  assert.equal(t.update(undefined, a), true);
  let r = m.update(t);
  assert.deepEqual([...r.updatedServicePorts], ['ns/a:http/TCP']);
  assert.equal(m.get('ns/a:http/TCP')?.port, 80);

  // A metadata-only update (new resourceVersion) needs no sync.
  assert.equal(t.update(a, { ...a, metadata: { ...a.metadata, resourceVersion: '2' } }), false);
  // Changed and changed back before a sync: nothing pending.
  const b = svc('a', { ports: [{ name: 'http', port: 81, protocol: 'TCP' }] });
  assert.equal(t.update(a, b), true);
  assert.equal(t.update(b, a), false);

  // Add a port: only that port is updated.
  const two = svc('a', { ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] });
  t.update(a, two);
  r = m.update(t);
  assert.deepEqual([...r.updatedServicePorts], ['ns/a:dns/UDP']);
  assert.deepEqual(m.portsOfService('ns/a').map((p) => p.key).sort(), ['ns/a:dns/UDP', 'ns/a:http/TCP']);

  t.update(two, undefined);
  r = m.update(t);
  assert.deepEqual([...r.updatedServicePorts].sort(), ['ns/a:dns/UDP', 'ns/a:http/TCP']);
  assert.deepEqual([...r.deletedUDPClusterIPs], ['10.96.0.10']);
  assert.equal(m.size, 0);
});

test('EndpointsChangeTracker: merges slices per Service, sorts endpoints, cancels no-op changes, reports stale serving endpoints', () => {
  const t = new EndpointsChangeTracker();
  const m = new EndpointsMap();
  assert.equal(t.endpointSliceUpdate(slice('a-1', 'a', ['10.0.0.2', '10.0.0.1']), false), true);
  assert.equal(t.endpointSliceUpdate(slice('a-2', 'a', ['10.0.0.3']), false), true);
  // A slice without the service-name label is not a Service's.
  assert.equal(t.endpointSliceUpdate({ ...slice('x', 'x', ['10.0.0.9']), metadata: { name: 'x', namespace: 'ns' } }, false), true);
  let r = m.update(t);
  assert.deepEqual([...r.updatedServicePorts], ['ns/a:http/TCP']);
  assert.deepEqual(m.get('ns/a:http/TCP').map((e) => e.key), ['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080']);

  // Re-sending the same slice is not a change.
  assert.equal(t.endpointSliceUpdate(slice('a-2', 'a', ['10.0.0.3']), false), false);
  // Not ready and back before a sync: nothing pending.
  assert.equal(t.endpointSliceUpdate(slice('a-2', 'a', ['10.0.0.3'], { ready: false }), false), true);
  assert.equal(t.endpointSliceUpdate(slice('a-2', 'a', ['10.0.0.3']), false), false);

  t.endpointSliceUpdate(slice('a-2', 'a', ['10.0.0.3']), true);
  r = m.update(t);
  assert.deepEqual(m.get('ns/a:http/TCP').map((e) => e.key), ['10.0.0.1:8080', '10.0.0.2:8080']);
  assert.deepEqual(r.staleEndpoints.map((s) => s.endpoint.key), ['10.0.0.3:8080']);

  // A missing `serving` condition means serving (upstream's endpointslice cache).
  const s = slice('a-1', 'a', ['10.0.0.1']);
  s.endpoints![0].conditions = { ready: false, terminating: true };
  t.endpointSliceUpdate(s, false);
  m.update(t);
  assert.deepEqual(m.get('ns/a:http/TCP').map((e) => [e.key, e.ready, e.serving, e.terminating]), [['10.0.0.1:8080', false, true, true]]);
});

test('EndpointsChangeTracker: records last-change-trigger-time for network programming latency', () => {
  const t = new EndpointsChangeTracker();
  const s = slice('a-1', 'a', ['10.0.0.1']);
  s.metadata.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-01-02T03:04:05Z' };
  t.endpointSliceUpdate(s, false);
  const r = new EndpointsMap().update(t);
  assert.deepEqual(r.lastChangeTriggerTimes.get('ns/a')?.map((d) => d.toISOString()), ['2024-01-02T03:04:05.000Z']);
});
