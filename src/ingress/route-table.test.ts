// The route table against the ingress conformance features (path_rules, host_rules,
// default_backend) and the merge rules: each scenario's request, and which Service serves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Ingress, IngressClass, IngressSpec, Service } from '../api/types.js';
import type { BackendSource } from './backend.js';
import { kanzenIngressController } from './ingress-class.js';
import { buildRouteTable, routeRequest, tlsSecretFor, type RouteTable } from './route-table.js';

const ns = 'conformance';
const classes: IngressClass[] = [
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'kanzen', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: kanzenIngressController },
  },
];

function ingress(name: string, spec: IngressSpec, created = '2026-01-01T00:00:00Z', className: string | undefined = 'kanzen'): Ingress {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: ns, creationTimestamp: created }, spec: { ingressClassName: className, ...spec } };
}

const svcBackend = (name: string, port: number | string = 8080) => ({ service: { name, port: typeof port === 'number' ? { number: port } : { name: port } } });

/** Services with a port 8080 named "http" (target 3000), each with one ready endpoint 10.0.0.n. */
function cluster(names: string[], extraSlices: EndpointSlice[] = []): BackendSource {
  const services = new Map<string, Service>();
  const slices = new Map<string, EndpointSlice[]>();
  names.forEach((name, i) => {
    services.set(name, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 3000 }] } });
    slices.set(name, [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 3000, protocol: 'TCP' }],
        endpoints: [{ addresses: [`10.0.0.${i + 1}`], conditions: { ready: true } }],
      },
    ]);
  });
  for (const s of extraSlices) slices.set(s.metadata.labels!['kubernetes.io/service-name'], [...(slices.get(s.metadata.labels!['kubernetes.io/service-name']) ?? []), s]);
  return { service: (n, name) => (n === ns ? services.get(name) : undefined), endpointSlices: (n, name) => (n === ns ? slices.get(name) ?? [] : []) };
}

function servedBy(table: RouteTable, url: string): string | number {
  const u = new URL(url);
  const m = routeRequest(table, u.host, u.pathname + u.search);
  return m ? m.backend.service : 404;
}

test('path_rules.feature', () => {
  const spec: IngressSpec = {
    rules: [
      { host: 'exact-path-rules', http: { paths: [{ path: '/foo', pathType: 'Exact', backend: svcBackend('foo-exact') }] } },
      {
        host: 'prefix-path-rules',
        http: {
          paths: [
            { path: '/foo', pathType: 'Prefix', backend: svcBackend('foo-prefix') },
            { path: '/aaa/bbb', pathType: 'Prefix', backend: svcBackend('aaa-slash-bbb-prefix') },
            { path: '/aaa', pathType: 'Prefix', backend: svcBackend('aaa-prefix') },
          ],
        },
      },
      {
        host: 'mixed-path-rules',
        http: {
          paths: [
            { path: '/foo', pathType: 'Prefix', backend: svcBackend('foo-prefix') },
            { path: '/foo', pathType: 'Exact', backend: svcBackend('foo-exact') },
          ],
        },
      },
      {
        host: 'trailing-slash-path-rules',
        http: {
          paths: [
            { path: '/aaa/bbb/', pathType: 'Prefix', backend: svcBackend('aaa-slash-bbb-slash-prefix') },
            { path: '/foo/', pathType: 'Exact', backend: svcBackend('foo-slash-exact') },
          ],
        },
      },
    ],
  };
  const source = cluster(['foo-exact', 'foo-prefix', 'aaa-slash-bbb-prefix', 'aaa-prefix', 'aaa-slash-bbb-slash-prefix', 'foo-slash-exact']);
  const t = buildRouteTable({ ingresses: [ingress('path-rules', spec)], classes, source });
  const cases: [string, string | number][] = [
    ['http://exact-path-rules/foo', 'foo-exact'],
    ['http://exact-path-rules/foo/', 404],
    ['http://exact-path-rules/FOO', 404],
    ['http://exact-path-rules/bar', 404],
    ['http://prefix-path-rules/foo', 'foo-prefix'],
    ['http://prefix-path-rules/foo/', 'foo-prefix'],
    ['http://prefix-path-rules/FOO', 404],
    ['http://prefix-path-rules/aaa/bbb', 'aaa-slash-bbb-prefix'],
    ['http://prefix-path-rules/aaa/bbb/ccc', 'aaa-slash-bbb-prefix'],
    ['http://prefix-path-rules/aaa/ccc', 'aaa-prefix'],
    ['http://prefix-path-rules/aaaccc', 404],
    ['http://mixed-path-rules/foo', 'foo-exact'],
    ['http://trailing-slash-path-rules/aaa/bbb', 'aaa-slash-bbb-slash-prefix'],
    ['http://trailing-slash-path-rules/aaa/bbb/', 'aaa-slash-bbb-slash-prefix'],
    ['http://trailing-slash-path-rules/foo', 404],
  ];
  for (const [url, want] of cases) assert.equal(servedBy(t, url), want, url);
});

test('host_rules.feature, with the TLS host and its Secret', () => {
  const spec: IngressSpec = {
    tls: [{ hosts: ['foo.bar.com'], secretName: 'conformance-tls' }],
    rules: [
      { host: '*.foo.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svcBackend('wildcard-foo-com') }] } },
      { host: 'foo.bar.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: svcBackend('foo-bar-com', 'http') }] } },
    ],
  };
  const t = buildRouteTable({ ingresses: [ingress('host-rules', spec)], classes, source: cluster(['wildcard-foo-com', 'foo-bar-com']) });
  assert.equal(servedBy(t, 'https://foo.bar.com'), 'foo-bar-com');
  assert.equal(servedBy(t, 'http://foo.bar.com'), 'foo-bar-com');
  assert.equal(servedBy(t, 'http://subdomain.bar.com'), 404);
  assert.equal(servedBy(t, 'http://bar.foo.com'), 'wildcard-foo-com');
  assert.equal(servedBy(t, 'http://baz.bar.foo.com'), 404);
  assert.equal(servedBy(t, 'http://foo.com'), 404);
  assert.deepEqual(tlsSecretFor(t, 'foo.bar.com'), { secret: `${ns}/conformance-tls`, ingress: `${ns}/host-rules` });
  assert.equal(tlsSecretFor(t, 'bar.foo.com'), undefined);
});

test('default_backend.feature: an Ingress with only a default backend serves every host and path', () => {
  const t = buildRouteTable({ ingresses: [ingress('default-backend', { defaultBackend: svcBackend('echo-test-default') })], classes, source: cluster(['echo-test-default']) });
  for (const url of ['http://default-backend/', 'http://default-backend/foo/bar', 'http://other.example/x?y=1']) assert.equal(servedBy(t, url), 'echo-test-default', url);
});

test('a host whose paths do not match falls to the default backend; an unknown host to the host-less rules', () => {
  const spec: IngressSpec = {
    defaultBackend: svcBackend('fallback'),
    rules: [
      { host: 'a.example', http: { paths: [{ path: '/app', pathType: 'Prefix', backend: svcBackend('app') }] } },
      { http: { paths: [{ path: '/any', pathType: 'Exact', backend: svcBackend('any') }] } },
    ],
  };
  const t = buildRouteTable({ ingresses: [ingress('mixed', spec)], classes, source: cluster(['fallback', 'app', 'any']) });
  assert.equal(servedBy(t, 'http://a.example/app/x'), 'app');
  assert.equal(servedBy(t, 'http://a.example/any'), 'fallback'); // the host's entry, not the host-less rules
  assert.equal(servedBy(t, 'http://b.example/any'), 'any');
  assert.equal(servedBy(t, 'http://b.example/other'), 'fallback');
});

test('Ingresses merge by host; for the same path the oldest Ingress wins; other classes are left out', () => {
  const older = ingress('older', { rules: [{ host: 'h', http: { paths: [{ path: '/x', pathType: 'Prefix', backend: svcBackend('old') }] } }], tls: [{ hosts: ['h'], secretName: 'old-tls' }] }, '2026-01-01T00:00:00Z');
  const newer = ingress(
    'newer',
    {
      rules: [{ host: 'h', http: { paths: [{ path: '/x/', pathType: 'Prefix', backend: svcBackend('new') }, { path: '/y', pathType: 'Exact', backend: svcBackend('new') }] } }],
      tls: [{ hosts: ['h'], secretName: 'new-tls' }],
    },
    '2026-01-02T00:00:00Z',
  );
  const other = ingress('other', { rules: [{ host: 'h', http: { paths: [{ path: '/z', pathType: 'Prefix', backend: svcBackend('old') }] } }] }, '2025-01-01T00:00:00Z', 'nginx');
  const withoutClass = ingress('classless', { rules: [{ host: 'h', http: { paths: [{ path: '/w', pathType: 'Prefix', backend: svcBackend('old') }] } }] }, '2026-01-03T00:00:00Z', undefined);
  const t = buildRouteTable({ ingresses: [newer, other, older, withoutClass], classes, source: cluster(['old', 'new']) });
  assert.equal(servedBy(t, 'http://h/x/1'), 'old');
  assert.equal(servedBy(t, 'http://h/y'), 'new');
  assert.equal(servedBy(t, 'http://h/z'), 404);
  assert.equal(servedBy(t, 'http://h/w'), 'old'); // no class, and kanzen is the default
  assert.equal(tlsSecretFor(t, 'h')?.secret, `${ns}/old-tls`);
  assert.deepEqual(t.ingresses, [`${ns}/older`, `${ns}/newer`, `${ns}/classless`]);
});

test('backends resolve by port name or number to the ready endpoints of the matching slice port', () => {
  const notReady: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-xyz', namespace: ns, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 3000, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.0.9.9'], conditions: { ready: false } }, { addresses: ['10.0.9.8'] }],
  };
  const source = cluster(['web'], [notReady]);
  for (const port of [8080, 'http'] as const) {
    const t = buildRouteTable({ ingresses: [ingress('i', { defaultBackend: svcBackend('web', port) })], classes, source });
    const b = routeRequest(t, 'x', '/')!.backend;
    assert.equal(b.name, `${ns}/web:${port}`);
    // Ready ones only; a missing ready condition counts as ready.
    assert.deepEqual(b.endpoints.map((e) => e.key), ['10.0.0.1:3000', '10.0.9.8:3000']);
    assert.equal(b.problem, undefined);
  }
});

test('a backend whose Service or port is missing routes, with no endpoints and the reason', () => {
  const source = cluster(['web']);
  const t = buildRouteTable({
    ingresses: [ingress('i', { rules: [{ http: { paths: [{ path: '/a', pathType: 'Prefix', backend: svcBackend('nope') }, { path: '/b', pathType: 'Prefix', backend: svcBackend('web', 9999) }] } }] })],
    classes,
    source,
  });
  const a = routeRequest(t, 'x', '/a')!.backend;
  assert.deepEqual([a.endpoints.length, a.problem], [0, `service "${ns}/nope" not found`]);
  const b = routeRequest(t, 'x', '/b')!.backend;
  assert.deepEqual([b.endpoints.length, b.problem], [0, `service "${ns}/web" has no port 9999`]);
});

test('wildcard TLS hosts cover one label of the server name', () => {
  const t = buildRouteTable({ ingresses: [ingress('i', { tls: [{ hosts: ['*.foo.com'], secretName: 'wild' }, { hosts: ['nosecret.com'] }] })], classes, source: cluster([]) });
  assert.equal(tlsSecretFor(t, 'a.foo.com')?.secret, `${ns}/wild`);
  assert.equal(tlsSecretFor(t, 'a.b.foo.com'), undefined);
  assert.equal(tlsSecretFor(t, 'nosecret.com'), undefined);
});
