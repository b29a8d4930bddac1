// The proxy against hostile backends and clients, on real loopback sockets: a backend that
// never accepts (504 after the connect timeout), one that accepts and never answers (504 after
// the read timeout, and meanwhile other requests are served), one that resets (502); clients
// that never finish their headers (408), send headers too large (431), open more connections
// than allowed (closed on accept), or stream a body far larger than the proxy's memory bound;
// and HTTP/2 by ALPN on the HTTPS port (node:http2 and curl --http2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Ingress, IngressClass } from '../api/types.js';
import { createCA, createServingCert } from '../cli/pki.js';
import { createLogger } from '../util/logger.js';
import { kanzenIngressController } from './ingress-class.js';
import { IngressProxy, type Certificate } from './ingress-proxy.js';
import { buildRouteTable } from './route-table.js';
import { closing, get, listening, ns, source } from './proxy-test-fixtures.js';

const classes: IngressClass[] = [{ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'kanzen' }, spec: { controller: kanzenIngressController } }];
const silent = createLogger('ingress-test', { level: 'error' });

const paths = ['ok', 'hang', 'reset', 'echo', 'big', 'unaccepting'];
let backend: http.Server;
let hangPort: number;
let hanging: http.Server;
let unaccepting: ChildProcess;
let unacceptingPort: number;
const fillers: net.Socket[] = [];
let ca: Certificate;
let quick: IngressProxy;
let patient: IngressProxy;
let quickPort: number;
let patientPort: number;
let httpsPort: number;
const bigBytes = 256 * 1024 * 1024;

/** A listener with a backlog of 0 that never accepts, its queue filled: a connect to it hangs in SYN_SENT. */
async function startUnaccepting(): Promise<void> {
  unaccepting = spawn('python3', ['-c', "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)"], { stdio: ['ignore', 'pipe', 'inherit'] });
  unacceptingPort = await new Promise<number>((r) => unaccepting.stdout!.once('data', (d: Buffer) => r(Number(String(d).trim()))));
  for (let i = 0; i < 3; i++) fillers.push(net.connect(unacceptingPort, '127.0.0.1').on('error', () => undefined));
}

function ingress(): Ingress {
  const rule = (p: string) => ({ path: `/${p}`, pathType: 'Prefix', backend: { service: { name: p, port: { number: 80 } } } });
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: ns }, spec: { ingressClassName: 'kanzen', tls: [{ hosts: ['foo.example'], secretName: 'foo-tls' }], rules: [{ host: 'foo.example', http: { paths: paths.map(rule) } }] } };
}

before(async () => {
  backend = http.createServer((req, res) => {
    if (req.url?.startsWith('/reset')) return req.socket.resetAndDestroy();
    if (req.url?.startsWith('/echo')) {
      res.setHeader('x-seen-headers', JSON.stringify(req.headers));
      return req.pipe(res);
    }
    if (req.url?.startsWith('/big')) return streamZeros(res, bigBytes);
    res.setHeader('x-seen-headers', JSON.stringify(req.headers));
    res.end(`ok ${req.url}`);
  });
  hanging = http.createServer(() => undefined); // accepts, reads the request, never answers
  const port = await listening(backend);
  hangPort = await listening(hanging);
  await startUnaccepting();
  ca = createCA('ingress-robustness');
  const table = buildRouteTable({ ingresses: [ingress()], classes, source: source({ ok: [port], hang: [hangPort], reset: [port], echo: [port], big: [port], unaccepting: [unacceptingPort] }) });
  const certs = new Map([[`${ns}/foo-tls`, createServingCert(ca.cert, ca.key, [], ['foo.example'])]]);
  const defaultCertificate = createServingCert(ca.cert, ca.key, [], ['ingress.default']);
  quick = new IngressProxy({ defaultCertificate, accessLog: () => undefined, logger: silent, limits: { connectTimeoutMs: 200, readTimeoutMs: 300, headersTimeoutMs: 300, maxConnections: 3 } });
  patient = new IngressProxy({ defaultCertificate, accessLog: () => undefined, logger: silent });
  quick.update(table, certs);
  patient.update(table, certs);
  quickPort = await listening(quick.createHttpServer());
  patientPort = await listening(patient.createHttpServer());
  httpsPort = await listening(patient.createHttpsServer());
});

after(async () => {
  await Promise.all([quick.close(), patient.close(), closing(backend), closing(hanging)]);
  for (const f of fillers) f.destroy();
  unaccepting.kill();
});

function streamZeros(out: NodeJS.WritableStream, total: number): void {
  const chunk = Buffer.alloc(64 * 1024);
  let left = total;
  const write = () => {
    while (left > 0) {
      left -= chunk.length;
      if (!out.write(chunk)) return void out.once('drain', write);
    }
    out.end();
  };
  write();
}

test('a backend that never accepts the connection gets the client a 504 (proxy-connect-timeout)', async () => {
  assert.equal((await get(quickPort, 'foo.example', '/unaccepting')).status, 504);
});

test('a backend that accepts and never answers gets the client a 504 (proxy-read-timeout)', async () => {
  assert.equal((await get(quickPort, 'foo.example', '/hang')).status, 504);
});

test('a backend that resets the connection gets the client a 502', async () => {
  assert.equal((await get(patientPort, 'foo.example', '/reset')).status, 502);
});

test('while requests hang on a silent and on an unreachable backend, another request is served', async () => {
  let settled = 0;
  const stuck = [get(patientPort, 'foo.example', '/hang'), get(patientPort, 'foo.example', '/unaccepting')].map((p) => p.finally(() => settled++));
  // Both stuck requests are in the proxy before the next one starts: the backend has the first.
  await new Promise<void>((r) => hanging.once('request', () => r()));
  const r = await get(patientPort, 'foo.example', '/ok');
  assert.equal(r.status, 200);
  assert.equal(settled, 0, 'the stuck requests are still waiting (default timeouts: 5 s and 60 s)');
  void Promise.allSettled(stuck);
});

/** Writes raw bytes on a new connection and returns everything the server sent until it closed. */
function raw(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(data));
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

test('a client that never finishes its headers gets 408; headers over 16 KiB get 431', async () => {
  assert.match(await raw(quickPort, 'GET /ok HTTP/1.1\r\nHost: foo.example\r\n'), /^HTTP\/1\.1 408 Request Timeout/);
  assert.match(await raw(patientPort, `GET /ok HTTP/1.1\r\nHost: foo.example\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), /^HTTP\/1\.1 431 Request Header Fields Too Large/);
});

test('connections beyond maxConnections are closed on accept; the open ones keep working', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 3 });
  const open = await Promise.all([0, 1, 2].map(() => new Promise<http.IncomingMessage>((r) => http.get({ host: '127.0.0.1', port: quickPort, path: '/ok', headers: { host: 'foo.example' }, agent }, (res) => res.resume().on('end', () => r(res))))));
  assert.deepEqual(open.map((r) => r.statusCode), [200, 200, 200]);
  assert.equal(await raw(quickPort, 'GET /ok HTTP/1.1\r\nHost: foo.example\r\n\r\n'), '', 'the fourth connection is closed without an answer');
  const again = await new Promise<number>((r) => http.get({ host: '127.0.0.1', port: quickPort, path: '/ok', headers: { host: 'foo.example' }, agent }, (res) => res.resume().on('end', () => r(res.statusCode!))));
  assert.equal(again, 200, 'a kept-alive connection is reused');
  agent.destroy();
});

test('a 256 MiB request body and a 256 MiB response stream through with bounded memory', async () => {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const through = (method: string, p: string, body: number) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: patientPort, method, path: p, headers: { host: 'foo.example' }, agent: false }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if ((n & 0xffffff) < c.length) sample();
        });
        res.on('end', () => resolve(n));
      });
      req.on('error', reject);
      if (body) streamZeros(req, body);
      else req.end();
    });
  assert.equal(await through('POST', '/echo', bigBytes), bigBytes);
  assert.equal(await through('GET', '/big', 0), bigBytes);
  // Everything (client, proxy, backend) is in this process: buffering either body would add 256 MiB.
  assert.ok(peak - base < 96 * 1024 * 1024, `rss grew by ${Math.round((peak - base) / 2 ** 20)} MiB`);
});

test('HTTP/2 by ALPN on the HTTPS port: node:http2 gets the backend answer; the backend sees Host and HTTP/1.1', async () => {
  const session = http2.connect(`https://127.0.0.1:${httpsPort}`, { ca: ca.cert, servername: 'foo.example' });
  const stream = session.request({ ':path': '/ok/h2', ':method': 'GET', ':authority': `foo.example:${httpsPort}` });
  const headers = await new Promise<http2.IncomingHttpHeaders>((r) => stream.once('response', r));
  let body = '';
  stream.on('data', (c) => (body += c));
  await new Promise((r) => stream.once('end', r));
  session.close();
  assert.equal(headers[':status'], 200);
  assert.equal(body, 'ok /ok/h2');
  const seen = JSON.parse(String(headers['x-seen-headers']));
  assert.equal(seen.host, `foo.example:${httpsPort}`);
  assert.equal(seen['x-forwarded-proto'], 'https');
  assert.equal(seen[':authority'], undefined);
});

test('curl --http2 negotiates h2, curl --http1.1 keeps HTTP/1.1 on the same port', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingress-h2-'));
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, ca.cert);
  const curl = (v: string) =>
    new Promise<string>((resolve, reject) =>
      execFile('curl', ['-sS', v, '--cacert', caFile, '--resolve', `foo.example:${httpsPort}:127.0.0.1`, '-w', ' %{http_version} %{http_code}', `https://foo.example:${httpsPort}/ok/c`], (err, out) => (err ? reject(err) : resolve(out))),
    );
  try {
    assert.equal(await curl('--http2'), 'ok /ok/c 2 200');
    assert.equal(await curl('--http1.1'), 'ok /ok/c 1.1 200');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
