// The controller against a real API server (the in-memory fixture) and the proxy on loopback:
// objects created through the API become routes, the TLS Secret becomes the SNI certificate,
// the Ingress's status gets the controller Service's address, and endpoint changes reach the
// proxy. No LoadBalancer controller runs here, so the test writes that Service's status itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Http2SecureServer } from 'node:http2';
import type { EndpointSlice, Ingress, IngressClass, Secret, Service } from '../api/types.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { createCA, createServingCert } from '../cli/pki.js';
import { startApiFixture, type ApiFixture } from '../testing/api-fixture.js';
import { waitFor } from '../testing/wait.js';
import { silentLogger } from '../util/logger.js';
import { IngressController } from './ingress-controller.js';
import { kanzenIngressController } from './ingress-class.js';
import { IngressProxy } from './ingress-proxy.js';

let api: ApiFixture & { client: ApiClient };
const ingressesInfo = resourceFor('ingresses', 'networking.k8s.io');
const slicesInfo = resourceFor('endpointslices', 'discovery.k8s.io');
const servicesInfo = resourceFor('services');
const b64 = (s: string) => Buffer.from(s).toString('base64');

let backend: http.Server;
let backendPort: number;
let proxy: IngressProxy;
let controller: IngressController;
let informers: InformerFactory;
let httpServer: http.Server;
let httpsServer: Http2SecureServer;
let caCert: string;
let caKey: string;

const listening = (s: http.Server | Http2SecureServer) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
const closing = (s: http.Server) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });

function request(mod: typeof http | typeof https, server: http.Server | Http2SecureServer, path: string, extra: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  const port = (server.address() as AddressInfo).port;
  return new Promise((resolve, reject) => {
    mod
      .get({ host: '127.0.0.1', port, path, headers: { host: 'foo.example' }, agent: false, ...extra }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

async function seed(client: ApiClient): Promise<void> {
  const ca = createCA('ingress-controller-test');
  caCert = ca.cert;
  caKey = ca.key;
  const serving = createServingCert(ca.cert, ca.key, [], ['foo.example']);
  await client.create<IngressClass>(resourceFor('ingressclasses', 'networking.k8s.io'), undefined, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'kanzen', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: kanzenIngressController },
  });
  await client.create<Service>(servicesInfo, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: backendPort }] } });
  await client.create<EndpointSlice>(slicesInfo, 'default', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  });
  await client.create<Secret>(resourceFor('secrets'), 'default', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'foo-tls' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(serving.cert), 'tls.key': b64(serving.key) },
  });
  const lb = await client.create<Service>(servicesInfo, 'kube-system', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kanzen-ingress' },
    spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] },
  });
  await client.updateStatus<Service>(servicesInfo, { ...lb, status: { loadBalancer: { ingress: [{ ip: '127.0.100.7', ipMode: 'VIP' }] } } });
  // No ingressClassName: the DefaultIngressClass admission gives it "kanzen".
  await client.create<Ingress>(ingressesInfo, 'default', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web' },
    spec: {
      tls: [{ hosts: ['foo.example'], secretName: 'foo-tls' }],
      rules: [{ host: 'foo.example', http: { paths: [{ path: '/app', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
    },
  });
}

before(async () => {
  const fixture = await startApiFixture();
  api = Object.assign(fixture, { client: fixture.client() });
  backend = http.createServer((req, res) => res.end(`web ${req.url}`));
  backendPort = await listening(backend);
  await seed(api.client);
  const defaultCert = createServingCert(caCert, caKey, [], ['default.invalid']);
  proxy = new IngressProxy({ defaultCertificate: defaultCert, accessLog: () => {}, logger: silentLogger });
  informers = new InformerFactory(api.client);
  controller = new IngressController({ client: api.client, informers, proxy, logger: silentLogger, publishService: { namespace: 'kube-system', name: 'kanzen-ingress' } });
  informers.start();
  controller.start();
  httpServer = proxy.createHttpServer();
  httpsServer = proxy.createHttpsServer();
  await listening(httpServer);
  await listening(httpsServer);
});

after(async () => {
  controller?.stop();
  informers?.stop();
  await proxy?.close();
  if (backend?.listening) await closing(backend);
  await api?.stop();
});

test("the Ingress's status shows the controller Service's address", async () => {
  const ing = await waitFor(async () => {
    const i = await api.client.get<Ingress>(ingressesInfo, 'default', 'web');
    return i.status?.loadBalancer?.ingress?.length ? i : undefined;
  }, 10_000, 'Ingress status');
  assert.deepEqual(ing.status?.loadBalancer, { ingress: [{ ip: '127.0.100.7' }] });
  assert.equal(ing.spec.ingressClassName, 'kanzen');
});

test('requests reach the endpoint of the Service, over HTTP and over HTTPS with the Secret\'s certificate', async () => {
  const r = await waitFor(async () => {
    const x = await request(http, httpServer, '/app/x');
    return x.status === 200 ? x : undefined;
  }, 10_000, 'route to web');
  assert.equal(r.body, 'web /app/x');
  const s = await request(https, httpsServer, '/app', { servername: 'foo.example', ca: caCert });
  assert.deepEqual(s, { status: 200, body: 'web /app' });
  assert.equal((await request(http, httpServer, '/other')).status, 404);
});

test('when the endpoints go away the backend answers 503', async () => {
  await api.client.delete(slicesInfo, 'default', 'web-1');
  const r = await waitFor(async () => {
    const x = await request(http, httpServer, '/app');
    return x.status === 503 ? x : undefined;
  }, 10_000, '503 after the slice is gone');
  assert.equal(r.status, 503);
});
