import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterIndex } from './cluster-index.js';
import { resolve, type KubernetesOptions, type Resolution } from './lookup.js';
import { toEndpointsRecord, toServiceRecord } from './records.js';
import { Type, type RR } from '../../wire.js';
import type { EndpointSlice, Service } from '../../../api/types.js';

function svc(ns: string, name: string, spec: Service['spec']): Service {
  return { metadata: { namespace: ns, name }, spec };
}
function slice(ns: string, service: string, name: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports']): EndpointSlice {
  return { metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports };
}

function cluster(): ClusterIndex {
  const ix = new ClusterIndex(() => 1_700_000_000_000);
  for (const ns of ['default', 'kube-system']) ix.setNamespace(ns, true);
  const add = (s: Service) => ix.setService(`${s.metadata.namespace}/${s.metadata.name}`, toServiceRecord(s));
  add(svc('default', 'web', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }] }));
  add(svc('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }));
  add(svc('default', 'empty', { clusterIP: 'None', ports: [{ name: 'x', port: 1 }] }));
  add(svc('default', 'ext', { type: 'ExternalName', externalName: 'example.com' }));
  add(svc('default', 'dual', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20', 'fd00::20'], ports: [{ port: 80 }] }));
  add(svc('default', 'noports', { clusterIP: '10.96.0.30' }));
  const s = slice('default', 'db', 'db-abc', [
    { addresses: ['10.244.1.5'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.244.1.6'], conditions: { ready: true } },
    { addresses: ['10.244.1.7'], conditions: { ready: false } },
  ], [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
  ix.setEndpointSlice('default/db-abc', toEndpointsRecord(s)!);
  return ix;
}

const opts: KubernetesOptions = { zones: ['cluster.local.', 'in-addr.arpa.', 'ip6.arpa.'], podMode: 'insecure', ttl: 5 };

function q(name: string, type: number, o = opts, ix = cluster()): Resolution {
  const zone = o.zones.filter((z) => name === z || name.endsWith('.' + z)).sort((a, b) => b.length - a.length)[0];
  return resolve(ix, o, zone, name, type);
}

function show(rrs: RR[]): string[] {
  return rrs.map((r) => {
    const d = r.data as unknown as Record<string, unknown>;
    const body = Object.entries(d).filter(([k]) => k !== 'type').map(([, v]) => (Array.isArray(v) ? v.join(',') : String(v))).join(' ');
    return `${r.name} ${r.ttl} ${r.type} ${body}`;
  });
}

const cases: [string, string, number, Resolution['result'], string[]?, string[]?][] = [
  ['ClusterIP A', 'web.default.svc.cluster.local.', Type.A, 'answer', ['web.default.svc.cluster.local. 5 1 10.96.0.10']],
  ['ClusterIP AAAA on IPv4-only is NODATA', 'web.default.svc.cluster.local.', Type.AAAA, 'nodata'],
  ['dual-stack AAAA', 'dual.default.svc.cluster.local.', Type.AAAA, 'answer', ['dual.default.svc.cluster.local. 5 28 fd00::20']],
  ['headless: one A per ready endpoint', 'db.default.svc.cluster.local.', Type.A, 'answer', ['db.default.svc.cluster.local. 5 1 10.244.1.5', 'db.default.svc.cluster.local. 5 1 10.244.1.6']],
  ['endpoint by hostname', 'db-0.db.default.svc.cluster.local.', Type.A, 'answer', ['db-0.db.default.svc.cluster.local. 5 1 10.244.1.5']],
  ['endpoint by dashed IP', '10-244-1-6.db.default.svc.cluster.local.', Type.A, 'answer', ['10-244-1-6.db.default.svc.cluster.local. 5 1 10.244.1.6']],
  ['not-ready endpoint is unknown', '10-244-1-7.db.default.svc.cluster.local.', Type.A, 'name-error'],
  ['headless without endpoints is NXDOMAIN', 'empty.default.svc.cluster.local.', Type.A, 'name-error'],
  ['unknown service', 'nosuch.default.svc.cluster.local.', Type.A, 'name-error'],
  ['existing namespace is NODATA', 'default.svc.cluster.local.', Type.A, 'nodata'],
  ['unknown namespace is NXDOMAIN', 'nons.svc.cluster.local.', Type.A, 'name-error'],
  ['svc.<zone> is NODATA', 'svc.cluster.local.', Type.A, 'nodata'],
  ['zone apex is NODATA', 'cluster.local.', Type.A, 'nodata'],
  ['neither svc nor pod is NXDOMAIN', 'foo.cluster.local.', Type.A, 'name-error'],
  ['too many labels is NXDOMAIN', 'a.b.c.web.default.svc.cluster.local.', Type.A, 'name-error'],
  ['SRV for a named port', '_http._tcp.web.default.svc.cluster.local.', Type.SRV, 'answer', ['_http._tcp.web.default.svc.cluster.local. 5 33 0 100 80 web.default.svc.cluster.local.'], ['web.default.svc.cluster.local. 5 1 10.96.0.10']],
  ['SRV for the service lists every port, weight 100/N', 'web.default.svc.cluster.local.', Type.SRV, 'answer', ['web.default.svc.cluster.local. 5 33 0 50 80 web.default.svc.cluster.local.', 'web.default.svc.cluster.local. 5 33 0 50 443 web.default.svc.cluster.local.'], ['web.default.svc.cluster.local. 5 1 10.96.0.10']],
  ['headless SRV per endpoint', '_pg._tcp.db.default.svc.cluster.local.', Type.SRV, 'answer', ['_pg._tcp.db.default.svc.cluster.local. 5 33 0 50 5432 db-0.db.default.svc.cluster.local.', '_pg._tcp.db.default.svc.cluster.local. 5 33 0 50 5432 10-244-1-6.db.default.svc.cluster.local.'], ['db-0.db.default.svc.cluster.local. 5 1 10.244.1.5', '10-244-1-6.db.default.svc.cluster.local. 5 1 10.244.1.6']],
  ['SRV with the wrong protocol', '_http._udp.web.default.svc.cluster.local.', Type.SRV, 'name-error'],
  ['SRV of a service without ports is NODATA', 'noports.default.svc.cluster.local.', Type.SRV, 'nodata'],
  ['A of a service without ports', 'noports.default.svc.cluster.local.', Type.A, 'answer', ['noports.default.svc.cluster.local. 5 1 10.96.0.30']],
  ['ExternalName CNAME', 'ext.default.svc.cluster.local.', Type.CNAME, 'answer', ['ext.default.svc.cluster.local. 5 5 example.com.']],
  ['ExternalName A is a CNAME then the upstream', 'ext.default.svc.cluster.local.', Type.A, 'answer', ['ext.default.svc.cluster.local. 5 5 example.com.']],
  ['ExternalName SRV is NODATA', 'ext.default.svc.cluster.local.', Type.SRV, 'nodata'],
  ['PTR of a ClusterIP', '10.0.96.10.in-addr.arpa.', Type.PTR, 'answer', ['10.0.96.10.in-addr.arpa. 5 12 web.default.svc.cluster.local.']],
  ['PTR of an endpoint', '5.1.244.10.in-addr.arpa.', Type.PTR, 'answer', ['5.1.244.10.in-addr.arpa. 5 12 db-0.db.default.svc.cluster.local.']],
  ['PTR of an IPv6 ClusterIP', '0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.', Type.PTR, 'answer', ['0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. 5 12 dual.default.svc.cluster.local.']],
  ['PTR of an unknown IP', '9.9.9.9.in-addr.arpa.', Type.PTR, 'name-error'],
  ['dns-version TXT', 'dns-version.cluster.local.', Type.TXT, 'answer', ['dns-version.cluster.local. 28800 16 1.1.0']],
  ['TXT of an existing service is NODATA', 'web.default.svc.cluster.local.', Type.TXT, 'nodata'],
  ['pod A (insecure)', '10-244-1-9.default.pod.cluster.local.', Type.A, 'answer', ['10-244-1-9.default.pod.cluster.local. 5 1 10.244.1.9']],
  ['pod in an unknown namespace', '10-244-1-9.nons.pod.cluster.local.', Type.A, 'name-error'],
  ['MX of a service is NODATA', 'web.default.svc.cluster.local.', Type.MX, 'nodata'],
  ['MX of nothing is NXDOMAIN', 'nosuch.default.svc.cluster.local.', Type.MX, 'name-error'],
  ['AXFR is refused', 'cluster.local.', Type.AXFR, 'refused'],
  ['SOA at the apex', 'cluster.local.', Type.SOA, 'answer', ['cluster.local. 5 6 ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 5']],
  ['case-insensitive port names', '_http._tcp.web.default.svc.cluster.local.', Type.A, 'answer', ['_http._tcp.web.default.svc.cluster.local. 5 1 10.96.0.10']],
];

for (const [title, name, type, result, answer, additional] of cases) {
  test(`kubernetes lookup: ${title}`, () => {
    const r = q(name, type);
    assert.equal(r.result, result);
    if (answer) assert.deepEqual(show(r.answer), answer);
    if (additional) assert.deepEqual(show(r.additional), additional);
  });
}

test('kubernetes lookup: ExternalName A chases the target upstream', () => {
  assert.deepEqual(q('ext.default.svc.cluster.local.', Type.A).chase, [{ target: 'example.com.', qtype: Type.A }]);
});

test('kubernetes lookup: pods disabled and verified', () => {
  assert.equal(q('10-244-1-9.default.pod.cluster.local.', Type.A, { ...opts, podMode: 'disabled' }).result, 'name-error');
  const ix = cluster();
  const verified = { ...opts, podMode: 'verified' as const };
  assert.equal(q('10-244-1-9.default.pod.cluster.local.', Type.A, verified, ix).result, 'name-error');
  ix.setPod('default/p', { name: 'p', namespace: 'default', ips: ['10.244.1.9'] });
  assert.equal(q('10-244-1-9.default.pod.cluster.local.', Type.A, verified, ix).result, 'answer');
  assert.equal(q('10-244-1-9.kube-system.pod.cluster.local.', Type.A, verified, ix).result, 'name-error');
});

test('kubernetes lookup: SRV weight is floor(100/N), at least 1', () => {
  const ix = cluster();
  const ports = [1, 2, 3].map((p) => ({ name: `p${p}`, port: p }));
  ix.setService('default/three', toServiceRecord(svc('default', 'three', { clusterIP: '10.96.0.3', ports })));
  const r = q('three.default.svc.cluster.local.', Type.SRV, opts, ix);
  assert.deepEqual(r.answer.map((x) => (x.data as { weight: number }).weight), [33, 33, 33]);
});

test('kubernetes index: changes invalidate exactly their groups', () => {
  const ix = cluster();
  const seen: (string[] | 'all')[] = [];
  ix.onInvalidate((o) => seen.push(o));
  ix.setService('default/web', undefined);
  assert.deepEqual(seen.pop(), ['svc:default/web', 'ip:10.96.0.10']);
  assert.equal(q('web.default.svc.cluster.local.', Type.A, opts, ix).result, 'name-error');
  assert.equal(q('10.0.96.10.in-addr.arpa.', Type.PTR, opts, ix).result, 'name-error');
  ix.setNamespace('other', true);
  assert.equal(seen.pop(), 'all');
});
