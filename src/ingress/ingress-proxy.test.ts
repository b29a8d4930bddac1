// The proxy on real loopback sockets: backends are HTTP servers on 127.0.0.1, the route
// table is built from Service and EndpointSlice objects naming them, and requests go through
// the proxy's HTTP and HTTPS listeners with real clients (node:http, node:https, ws).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Http2SecureServer } from 'node:http2';
import { WebSocket, WebSocketServer } from 'ws';
import type { Ingress, IngressClass, IngressSpec } from '../api/types.js';
import { createCA, createServingCert } from '../cli/pki.js';
import { createLogger } from '../util/logger.js';
import { kanzenIngressController } from './ingress-class.js';
import { IngressProxy, type Certificate } from './ingress-proxy.js';
import { buildRouteTable } from './route-table.js';
import { closing, get, listening, ns, source } from './proxy-test-fixtures.js';

const classes: IngressClass[] = [{ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'kanzen' }, spec: { controller: kanzenIngressController } }];

/** A backend answering "<name> <method> <path>" with the request headers it got as JSON in x-seen-headers. */
async function startBackend(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    res.setHeader('x-seen-headers', JSON.stringify(req.headers));
    res.end(`${name} ${req.method} ${req.url}`);
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (sock) => sock.on('message', (m) => sock.send(`${name} echo ${m}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

let a: { server: http.Server; port: number };
let b: { server: http.Server; port: number };
let b2: { server: http.Server; port: number };
let proxy: IngressProxy;
let httpServer: http.Server;
let httpsServer: Http2SecureServer;
let httpPort: number;
let httpsPort: number;
let ca: Certificate;
let table: ReturnType<typeof buildRouteTable>;
const log: string[] = [];

before(async () => {
  [a, b, b2] = await Promise.all([startBackend('a'), startBackend('b'), startBackend('b2')]);
  ca = createCA('ingress-test');
  const fooCert = createServingCert(ca.cert, ca.key, [], ['foo.example']);
  const defaultCert = createServingCert(ca.cert, ca.key, [], ['ingress.default']);
  const spec: IngressSpec = {
    tls: [{ hosts: ['foo.example'], secretName: 'foo-tls' }],
    rules: [
      {
        host: 'foo.example',
        http: {
          paths: [
            { path: '/a', pathType: 'Prefix', backend: { service: { name: 'a', port: { name: 'http' } } } },
            { path: '/b', pathType: 'Prefix', backend: { service: { name: 'b', port: { number: 80 } } } },
            { path: '/empty', pathType: 'Exact', backend: { service: { name: 'empty', port: { number: 80 } } } },
          ],
        },
      },
    ],
  };
  const ing: Ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: ns }, spec: { ingressClassName: 'kanzen', ...spec } };
  table = buildRouteTable({ ingresses: [ing], classes, source: source({ a: [a.port], b: [b.port, b2.port], empty: [] }) });
  proxy = new IngressProxy({ defaultCertificate: defaultCert, accessLog: (l) => log.push(l), logger: createLogger('ingress-test', { level: 'error' }) });
  proxy.update(table, new Map([[`${ns}/foo-tls`, fooCert]]));
  httpServer = proxy.createHttpServer();
  httpsServer = proxy.createHttpsServer();
  httpPort = await listening(httpServer);
  httpsPort = await listening(httpsServer);
});

after(async () => {
  await proxy.close();
  await Promise.all([closing(a.server), closing(b.server), closing(b2.server)]);
});

test('host and path select the backend; the backend sees the Host and the X-Forwarded headers', async () => {
  const r = await get(httpPort, 'foo.example', '/a/x?q=1', { 'x-forwarded-for': '203.0.113.9' });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'a GET /a/x?q=1');
  const seen = JSON.parse(String(r.headers['x-seen-headers']));
  assert.equal(seen.host, 'foo.example');
  assert.equal(seen['x-forwarded-for'], '127.0.0.1'); // the client's address, not what it claimed
  assert.equal(seen['x-forwarded-proto'], 'http');
  assert.equal(seen['x-forwarded-host'], 'foo.example');
  assert.equal(seen['x-forwarded-port'], String(httpPort));
});

test('requests rotate round robin over the endpoints', async () => {
  const bodies: string[] = [];
  for (let i = 0; i < 4; i++) bodies.push((await get(httpPort, 'foo.example', '/b')).body);
  const names = bodies.map((x) => x.split(' ')[0]);
  assert.deepEqual(new Set(names), new Set(['b', 'b2']));
  assert.notEqual(names[0], names[1]);
  assert.equal(names[0], names[2]);
});

test('no matching rule is a 404; a backend without endpoints a 503; each request logs a line', async () => {
  log.length = 0;
  assert.equal((await get(httpPort, 'other.example', '/a')).status, 404);
  assert.equal((await get(httpPort, 'foo.example', '/nothing')).status, 404);
  assert.equal((await get(httpPort, 'foo.example', '/empty')).status, 503);
  await get(httpPort, 'foo.example', '/a', { 'user-agent': 'curl/8.5.0' });
  assert.equal(log.length, 4);
  assert.match(log[0], /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/a HTTP\/1\.1" 404 \d+ "-" "-" 0 \d+\.\d{3} \[-\] - -$/);
  assert.match(log[2], /"GET \/empty HTTP\/1\.1" 503 .* \[default\/empty:80\] - -$/);
  assert.match(log[3], new RegExp(`"GET /a HTTP/1\\.1" 200 \\d+ "-" "curl/8\\.5\\.0" 0 \\d+\\.\\d{3} \\[default/a:http\\] 127\\.0\\.0\\.1:${a.port} 200$`));
});

function tlsGet(servername: string): Promise<{ status: number; body: string; san: string; proto: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: httpsPort, servername, path: '/a', headers: { host: servername }, ca: ca.cert, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const seen = JSON.parse(String(res.headers['x-seen-headers'] ?? '{}'));
        resolve({ status: res.statusCode!, body, san: (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subjectaltname ?? '', proto: seen['x-forwarded-proto'] });
      });
    });
    req.on('error', reject);
  });
}

test('HTTPS serves the certificate of the TLS Secret for the SNI name, verified against its CA', async () => {
  const r = await tlsGet('foo.example');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'a GET /a');
  assert.equal(r.san, 'DNS:foo.example');
  assert.equal(r.proto, 'https');
});

test('a renewed certificate in the same Secret is served from the next update on', async () => {
  const renewed = createServingCert(ca.cert, ca.key, [], ['foo.example', 'www.foo.example']);
  proxy.update(table, new Map([[`${ns}/foo-tls`, renewed]]));
  assert.equal((await tlsGet('foo.example')).san, 'DNS:foo.example, DNS:www.foo.example');
});

test('an SNI name no TLS Secret covers gets the default certificate', async () => {
  await assert.rejects(tlsGet('bar.example'), /Hostname\/IP does not match certificate's altnames/);
});

/** Opens a WebSocket, sends one message and returns the backend's echo. */
async function wsEcho(url: string, message: string, opts: import('ws').ClientOptions): Promise<string> {
  const ws = new WebSocket(url, opts);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const reply = new Promise<string>((r) => ws.once('message', (m) => r(String(m))));
  ws.send(message);
  const got = await reply;
  ws.close();
  await new Promise((r) => ws.once('close', r));
  return got;
}

test('a WebSocket upgrade passes through to the backend and messages flow both ways', async () => {
  assert.equal(await wsEcho(`ws://127.0.0.1:${httpPort}/a/ws`, 'hello', { headers: { host: 'foo.example' } }), 'a echo hello');
});

test('a WebSocket upgrade to no rule is refused with a 404', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/nowhere`, { headers: { host: 'foo.example' } });
  const status = await new Promise<number>((r) => ws.once('unexpected-response', (_req, res) => r(res.statusCode!)).once('error', () => r(-1)));
  assert.equal(status, 404);
  ws.terminate();
});

test('a WebSocket upgrade over HTTPS (the HTTP/2 server, HTTP/1.1 by ALPN) passes through', async () => {
  const opts = { headers: { host: 'foo.example' }, ca: ca.cert, servername: 'foo.example' } as import('ws').ClientOptions;
  assert.equal(await wsEcho(`wss://127.0.0.1:${httpsPort}/a/ws`, 'over tls', opts), 'a echo over tls');
});
