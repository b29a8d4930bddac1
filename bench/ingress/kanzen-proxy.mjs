// The kanzen Ingress proxy alone, for bench/ingress/run.mjs: one Ingress (host bench.example,
// path / Prefix) whose Service has one endpoint, 127.0.0.1:<backend port>, served on
// 127.0.0.1:<port> by IngressProxy with its per-route metrics on (as in the controller pod);
// the access log is dropped (HAProxy in the same run logs nothing either). Prints "ready".
//   node bench/ingress/kanzen-proxy.mjs PORT BACKEND_PORT
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist } from '../lib.mjs';

const load = (p) => import(pathToFileURL(path.join(dist, p)).href);
const { IngressProxy } = await load('ingress/ingress-proxy.js');
const { IngressMetrics } = await load('ingress/ingress-metrics.js');
const { buildRouteTable } = await load('ingress/route-table.js');
const { kanzenIngressController } = await load('ingress/ingress-class.js');
const { defaultCertificate } = await load('ingress/default-certificate.js');
const { createLogger } = await load('util/logger.js');

const [port, backendPort] = process.argv.slice(2).map(Number);
const ns = 'default';
const ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'bench', namespace: ns },
  spec: { ingressClassName: 'kanzen', rules: [{ host: 'bench.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
};
const source = {
  service: (n, name) => (name === 'web' ? { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: n }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } } : undefined),
  endpointSlices: () => [
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }] },
  ],
};
const classes = [{ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'kanzen' }, spec: { controller: kanzenIngressController } }];
const proxy = new IngressProxy({ defaultCertificate: defaultCertificate(), accessLog: () => undefined, logger: createLogger('bench', { level: 'error' }), metrics: new IngressMetrics() });
proxy.update(buildRouteTable({ ingresses: [ingress], classes, source }), new Map());
proxy.createHttpServer().listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
