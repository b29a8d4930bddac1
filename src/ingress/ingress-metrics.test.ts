// Per-route metrics from real requests through the proxy on loopback: requests by route and
// status class, durations, bytes, and the endpoint each request went to; parsed back with the
// Prometheus text parser `kanzen traffic` uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Ingress, IngressClass } from '../api/types.js';
import { parsePrometheusText, type Sample } from '../cli/traffic.js';
import { createCA, createServingCert } from '../cli/pki.js';
import { createLogger } from '../util/logger.js';
import { kanzenIngressController } from './ingress-class.js';
import { IngressMetrics, statusClass } from './ingress-metrics.js';
import { IngressProxy } from './ingress-proxy.js';
import { buildRouteTable } from './route-table.js';
import { closing, get, listening, ns, source } from './proxy-test-fixtures.js';

const classes: IngressClass[] = [{ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'kanzen' }, spec: { controller: kanzenIngressController } }];
let backends: http.Server[];
let ports: number[];
let proxy: IngressProxy;
let port: number;
const metrics = new IngressMetrics();

before(async () => {
  backends = [0, 1].map(() => http.createServer((req, res) => req.resume().on('end', () => res.end('hello'))));
  ports = await Promise.all(backends.map(listening));
  const ing: Ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: ns },
    spec: { ingressClassName: 'kanzen', rules: [{ host: 'foo.example', http: { paths: [{ path: '/app', pathType: 'Prefix', backend: { service: { name: 'app', port: { number: 80 } } } }] } }] },
  };
  const ca = createCA('ingress-metrics');
  proxy = new IngressProxy({ defaultCertificate: createServingCert(ca.cert, ca.key, [], ['x']), accessLog: () => undefined, logger: createLogger('t', { level: 'error' }), metrics });
  proxy.update(buildRouteTable({ ingresses: [ing], classes, source: source({ app: ports }) }), new Map());
  port = await listening(proxy.createHttpServer());
});

after(async () => {
  await proxy.close();
  await Promise.all(backends.map(closing));
});

const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

test('statusClass groups codes by hundreds', () => {
  assert.deepEqual([200, 301, 404, 503].map(statusClass), ['2xx', '3xx', '4xx', '5xx']);
});

test('requests are counted by route, status class and endpoint, with durations and bytes', async () => {
  for (let i = 0; i < 4; i++) assert.equal((await get(port, 'foo.example', '/app/x')).status, 200);
  assert.equal((await get(port, 'other.example', '/')).status, 404);
  await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/app/up', headers: { host: 'foo.example' }, agent: false }, (res) => res.resume().on('end', resolve));
    req.on('error', reject);
    req.end('x'.repeat(1000));
  });
  const s = parsePrometheusText(metrics.text());
  const route = { namespace: ns, ingress: 'web', host: 'foo.example', path: '/app', service: 'app:80' };
  assert.equal(value(s, 'kanzen_ingress_requests_total', { ...route, status: '2xx' }), 5);
  assert.equal(value(s, 'kanzen_ingress_requests_total', { ingress: '', host: '', status: '4xx' }), 1);
  assert.equal(value(s, 'kanzen_ingress_request_duration_seconds_count', route), 5);
  assert.equal(value(s, 'kanzen_ingress_bytes_sent_total', route), 5 * 'hello'.length);
  assert.equal(value(s, 'kanzen_ingress_request_bytes_total', route), 1000);
  const perEndpoint = ports.map((p) => value(s, 'kanzen_ingress_upstream_requests_total', { ...route, endpoint: `127.0.0.1:${p}`, status: '2xx' }));
  assert.deepEqual(perEndpoint.sort(), [2, 3], 'round robin over the two endpoints');
});
