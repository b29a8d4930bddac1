// End to end on loopback: a real API server (startApiFixture), Services and
// EndpointSlices created through the client, echo servers on 127.0.x.y as endpoints,
// and the proxier listening on each ClusterIP mapped into 127.0.0.0/8:
// 10.A.B.C → 127.A.B.C (listenAddressFor), NodePorts on 127.0.0.1 (hostIPs) and
// 127.0.0.2 (nodeIPs). Nothing leaves the loopback interface.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import http from 'node:http';
import { startApiFixture, type ApiFixture } from '../testing/api-fixture.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { Endpoint, EndpointSlice, Service } from '../api/types.js';
import { Proxier } from './proxier.js';
import { newTcpServer } from './userspace/libuv-stream.js';

const servicesInfo = resourceFor('services');
const slicesInfo = resourceFor('endpointslices', 'discovery.k8s.io');
const nodeName = 'node-1';
const hostIP = '127.0.0.1';
const nodeIP = '127.0.0.2';

let api: ApiFixture;
let client: ApiClient;
let proxier: Proxier;
const closers: (() => void)[] = [];
const hostSocketRequests: string[] = [];

const toLoopback = (ip: string) => '127.' + ip.split('.').slice(1).join('.');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

before(async () => {
  api = await startApiFixture();
  client = api.client('proxy-test');
  proxier = new Proxier({
    client,
    nodeName,
    nodeIPs: [nodeIP],
    hostIPs: [hostIP],
    listenAddressFor: toLoopback,
    udpIdleTimeoutMs: 60_000,
    dropTimeoutMs: 60_000,
    requestHostSocket: (ip, port) => hostSocketRequests.push(`${ip}:${port}`),
  });
  proxier.start();
  await proxier.waitForSync();
});

after(async () => {
  for (const c of closers) c();
  await proxier.stop();
  await api.stop();
});

/** TCP servers on the given IPs, same port: each says its name on connect, then echoes. */
async function echoServers(ips: string[], names: string[]): Promise<number> {
  let port = 0;
  for (let i = 0; i < ips.length; i++) {
    const name = names[i];
    const srv = net.createServer((s) => {
      s.on('error', () => {});
      s.write(`${name}\n`);
      s.pipe(s);
    });
    await new Promise<void>((res, rej) => {
      srv.once('error', rej);
      srv.listen(port, ips[i], () => res());
    });
    port = (srv.address() as net.AddressInfo).port;
    closers.push(() => {
      srv.close();
    });
  }
  return port;
}

/** Connects and returns the first line the endpoint sends. */
function fetchName(host: string, port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, localAddress });
    let data = '';
    s.on('data', (d) => {
      data += d.toString();
      const nl = data.indexOf('\n');
      if (nl >= 0) {
        s.end();
        resolve(data.slice(0, nl));
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error('closed without data')));
  });
}

/** The error code a connection ends with. */
function connectError(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.on('data', () => resolve('data'));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    s.on('close', () => resolve('closed'));
  });
}

async function createService(name: string, spec: Partial<Service['spec']>, ports: Service['spec']['ports'] = [{ port: 80, protocol: 'TCP' }]): Promise<Service> {
  return client.create<Service>(servicesInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { ports, ...spec },
  });
}

function ep(ip: string, o: { ready?: boolean; serving?: boolean; terminating?: boolean; node?: string } = {}): Endpoint {
  const ready = o.ready ?? true;
  return { addresses: [ip], conditions: { ready, serving: o.serving ?? ready, terminating: o.terminating ?? false }, nodeName: o.node ?? nodeName };
}

async function putSlice(service: string, endpoints: Endpoint[], port: number, protocol: 'TCP' | 'UDP' = 'TCP'): Promise<void> {
  const name = `${service}-abc`;
  const body: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: '', port, protocol }],
  };
  try {
    const cur = await client.get<EndpointSlice>(slicesInfo, 'default', name);
    await client.update(slicesInfo, { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata.resourceVersion } });
  } catch {
    await client.create(slicesInfo, 'default', body);
  }
}

function portMetrics(service: string) {
  return proxier.metrics().servicePorts.find((p) => p.service === service);
}

/** Waits until the proxy has programmed the Service port with these endpoint IPs eligible. */
async function programmed(service: string, ips: string[]): Promise<void> {
  await waitFor(() => portMetrics(service) && ips.every((ip) => proxier.routesNewConnectionsTo(ip)));
}

test('round robin across 3 endpoints in their stable order', async () => {
  const ips = ['127.0.10.1', '127.0.10.2', '127.0.10.3'];
  const port = await echoServers(ips, ['Pod 1', 'Pod 2', 'Pod 3']);
  const svc = await createService('rr', { selector: { app: 'rr' } });
  await putSlice('rr', ips.map((ip) => ep(ip)), port);
  await programmed('rr', ips);
  const vip = toLoopback(svc.spec.clusterIP!);
  const got: string[] = [];
  for (let i = 0; i < 6; i++) got.push(await fetchName(vip, 80));
  assert.deepEqual(got, ['Pod 1', 'Pod 2', 'Pod 3', 'Pod 1', 'Pod 2', 'Pod 3']);
  const m = portMetrics('rr')!;
  assert.equal(m.totalConnections, 6);
  assert.deepEqual(
    m.endpoints.map((e) => [e.endpoint, e.totalConnections]).sort(),
    ips.map((ip) => [`${ip}:${port}`, 2]),
  );
  assert.match(proxier.prometheusMetrics(), new RegExp(`kanzen_proxy_endpoint_connections_total\\{namespace="default",service="rr",port="",endpoint="127.0.10.1:${port}"\\} 2`));
});

test('no endpoints: connections are refused at once (reset)', async () => {
  const svc = await createService('empty', { selector: { app: 'none' } });
  await waitFor(() => portMetrics('empty'));
  const code = await connectError(toLoopback(svc.spec.clusterIP!), 80);
  assert.equal(code, 'ECONNRESET');
  assert.equal(portMetrics('empty')!.refusedConnections, 1);
});

test('sessionAffinity ClientIP pins a client IP, and the pin expires after timeoutSeconds', async () => {
  const ips = ['127.0.11.1', '127.0.11.2', '127.0.11.3'];
  const port = await echoServers(ips, ['a', 'b', 'c']);
  const svc = await createService('sticky', { selector: { app: 's' }, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 1 } } });
  await putSlice('sticky', ips.map((ip) => ep(ip)), port);
  await programmed('sticky', ips);
  const vip = toLoopback(svc.spec.clusterIP!);
  const first = [await fetchName(vip, 80, '127.0.50.1'), await fetchName(vip, 80, '127.0.50.1'), await fetchName(vip, 80, '127.0.50.1')];
  assert.deepEqual(first, ['a', 'a', 'a']);
  assert.equal(await fetchName(vip, 80, '127.0.50.2'), 'b');
  assert.equal(await fetchName(vip, 80, '127.0.50.1'), 'a');
  await sleep(1300);
  // Expired: the client is balanced afresh (round robin continues with "c").
  assert.equal(await fetchName(vip, 80, '127.0.50.1'), 'c');
});

test('externalTrafficPolicy Local: a node without local endpoints drops NodePort traffic; ClusterIP still works', async () => {
  const port = await echoServers(['127.0.12.1', '127.0.12.2'], ['remote', 'local']);
  const svc = await createService('etp', { type: 'NodePort', selector: { app: 'etp' }, externalTrafficPolicy: 'Local' });
  const nodePort = svc.spec.ports![0].nodePort!;
  await putSlice('etp', [ep('127.0.12.1', { node: 'node-2' })], port);
  await programmed('etp', ['127.0.12.1']);
  assert.equal(await fetchName(toLoopback(svc.spec.clusterIP!), 80), 'remote');

  const s = net.connect({ host: hostIP, port: nodePort });
  let got = '';
  let ended = '';
  s.on('data', (d) => (got += d.toString()));
  s.on('error', (e: NodeJS.ErrnoException) => (ended = e.code ?? 'error'));
  s.on('close', () => (ended ||= 'closed'));
  s.write('hello?');
  await waitFor(() => portMetrics('etp')!.droppedConnections === 1);
  assert.equal(got, '');
  assert.equal(ended, '');
  s.destroy();

  await putSlice('etp', [ep('127.0.12.1', { node: 'node-2' }), ep('127.0.12.2')], port);
  await programmed('etp', ['127.0.12.2']);
  // External traffic goes only to the local endpoint, on every node address.
  for (let i = 0; i < 3; i++) assert.equal(await fetchName(hostIP, nodePort), 'local');
  assert.equal(await fetchName(nodeIP, nodePort), 'local');
});

test('internalTrafficPolicy Local: ClusterIP traffic only to local endpoints, dropped without them', async () => {
  const port = await echoServers(['127.0.13.1', '127.0.13.2'], ['remote', 'local']);
  const svc = await createService('itp', { selector: { app: 'itp' }, internalTrafficPolicy: 'Local' });
  await putSlice('itp', [ep('127.0.13.1', { node: 'node-2' })], port);
  await waitFor(() => portMetrics('itp'));
  const vip = toLoopback(svc.spec.clusterIP!);
  // Until the slice is programmed the port has no endpoints at all (refused); then dropped.
  await waitFor(async () => {
    const s = net.connect({ host: vip, port: 80 });
    s.on('error', () => {});
    await sleep(30);
    s.destroy();
    return portMetrics('itp')!.droppedConnections >= 1;
  });
  await putSlice('itp', [ep('127.0.13.1', { node: 'node-2' }), ep('127.0.13.2')], port);
  await programmed('itp', ['127.0.13.2']);
  assert.deepEqual([await fetchName(vip, 80), await fetchName(vip, 80)], ['local', 'local']);
  assert.equal(proxier.routesNewConnectionsTo('127.0.13.1'), false);
});

test('readiness: a not-ready endpoint and a terminating one get no new connections', async () => {
  const ips = ['127.0.14.1', '127.0.14.2', '127.0.14.3'];
  const port = await echoServers(ips, ['one', 'two', 'three']);
  const svc = await createService('ready', { selector: { app: 'r' } });
  await putSlice('ready', ips.map((ip) => ep(ip)), port);
  await programmed('ready', ips);
  await putSlice('ready', [ep(ips[0]), ep(ips[1], { ready: false }), ep(ips[2], { ready: false, serving: true, terminating: true })], port);
  await waitFor(() => !proxier.routesNewConnectionsTo(ips[1]) && !proxier.routesNewConnectionsTo(ips[2]));
  const vip = toLoopback(svc.spec.clusterIP!);
  const got = [];
  for (let i = 0; i < 4; i++) got.push(await fetchName(vip, 80));
  assert.deepEqual(got, ['one', 'one', 'one', 'one']);
  // No ready endpoint left: fall back to the serving terminating one (KEP-1669).
  await putSlice('ready', [ep(ips[1], { ready: false }), ep(ips[2], { ready: false, serving: true, terminating: true })], port);
  await waitFor(() => !proxier.routesNewConnectionsTo(ips[0]) && proxier.routesNewConnectionsTo(ips[2]));
  assert.equal(await fetchName(vip, 80), 'three');
});

test('an established connection survives the removal of its endpoint', async () => {
  const port = await echoServers(['127.0.15.1'], ['only']);
  const svc = await createService('survive', { selector: { app: 'sv' } });
  await putSlice('survive', [ep('127.0.15.1')], port);
  await programmed('survive', ['127.0.15.1']);
  const vip = toLoopback(svc.spec.clusterIP!);
  const s = net.connect({ host: vip, port: 80 });
  let data = '';
  s.on('data', (d) => (data += d.toString()));
  await waitFor(() => data === 'only\n');
  await putSlice('survive', [], port);
  await waitFor(() => !proxier.routesNewConnectionsTo('127.0.15.1'));
  assert.equal(await connectError(vip, 80), 'ECONNRESET');
  s.write('still here');
  await waitFor(() => data === 'only\nstill here');
  assert.equal(portMetrics('survive')!.activeConnections, 1);
  s.end();
  await waitFor(() => portMetrics('survive')!.activeConnections === 0);
});

test('UDP through a Service: replies come back; flows are cleared when the endpoint goes', async () => {
  const epSock = dgram.createSocket('udp4');
  await new Promise<void>((r) => epSock.bind(0, '127.0.16.1', () => r()));
  const epPort = epSock.address().port;
  epSock.on('message', (msg, rinfo) => epSock.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
  closers.push(() => epSock.close());
  const svc = await createService('dns', { selector: { app: 'dns' } }, [{ port: 53, protocol: 'UDP' }]);
  await putSlice('dns', [ep('127.0.16.1')], epPort, 'UDP');
  await programmed('dns', ['127.0.16.1']);
  const vip = toLoopback(svc.spec.clusterIP!);
  const c = dgram.createSocket('udp4');
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
  closers.push(() => c.close());
  const replies: { msg: string; from: string }[] = [];
  c.on('message', (m, rinfo) => replies.push({ msg: m.toString(), from: `${rinfo.address}:${rinfo.port}` }));
  c.send('q1', 53, vip);
  await waitFor(() => replies.length === 1);
  assert.deepEqual(replies[0], { msg: 'echo:q1', from: `${vip}:53` });
  assert.equal(portMetrics('dns')!.activeConnections, 1);
  await putSlice('dns', [], epPort, 'UDP');
  await waitFor(() => portMetrics('dns')!.activeConnections === 0);
  // No endpoint: refused at once, as kube-proxy's REJECT (ICMP port unreachable), which a
  // connected UDP socket reports as ECONNREFUSED.
  const connected = dgram.createSocket('udp4');
  closers.push(() => connected.close());
  const refused = new Promise<string>((resolve) => connected.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error')));
  await new Promise<void>((r) => connected.connect(53, vip, () => r()));
  await waitFor(async () => {
    connected.send('q2');
    return Promise.race([refused, sleep(100).then(() => undefined)]);
  });
  assert.equal(await refused, 'ECONNREFUSED');
  assert.equal(replies.length, 1);
  // An endpoint again: the port answers again.
  await putSlice('dns', [ep('127.0.16.1')], epPort, 'UDP');
  await programmed('dns', ['127.0.16.1']);
  c.send('q3', 53, vip);
  await waitFor(() => replies.length === 2);
  assert.equal(replies[1].msg, 'echo:q3');
});

function httpGet(host: string, port: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host, port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

test('health-check node port answers like kube-proxy; LoadBalancer ingress IPs are served', async () => {
  const port = await echoServers(['127.0.17.1'], ['lb']);
  let svc = await createService('lb', { type: 'LoadBalancer', selector: { app: 'lb' }, externalTrafficPolicy: 'Local' });
  const hc = svc.spec.healthCheckNodePort!;
  assert.ok(hc);
  svc = await client.updateStatus<Service>(servicesInfo, { ...svc, status: { loadBalancer: { ingress: [{ ip: '10.200.0.7', ipMode: 'VIP' }] } } });
  await waitFor(async () => (await httpGet(hostIP, hc).catch(() => undefined))?.status === 503);
  const down = await httpGet(nodeIP, hc);
  assert.equal(down.status, 503);
  assert.equal(down.body, '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "lb"\n\t},\n\t"localEndpoints": 0,\n\t"serviceProxyHealthy": true\n}');
  await putSlice('lb', [ep('127.0.17.1')], port);
  await programmed('lb', ['127.0.17.1']);
  const up = await httpGet(hostIP, hc);
  assert.equal(up.status, 200);
  assert.equal(up.headers['content-type'], 'application/json');
  assert.equal(up.headers['x-content-type-options'], 'nosniff');
  assert.equal(up.headers['x-load-balancing-endpoint-weight'], '1');
  assert.equal(up.body, '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "lb"\n\t},\n\t"localEndpoints": 1,\n\t"serviceProxyHealthy": true\n}');
  assert.equal(await fetchName('127.200.0.7', 80), 'lb');
  assert.equal(await fetchName(hostIP, svc.spec.ports![0].nodePort!), 'lb');
});

test('balance annotation: least-connections per Service', async () => {
  const ips = ['127.0.18.1', '127.0.18.2'];
  const port = await echoServers(ips, ['x', 'y']);
  const svc = await client.create<Service>(servicesInfo, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'lc', namespace: 'default', annotations: { 'kanzen.io/proxy-balance': 'least-connections' } },
    spec: { selector: { app: 'lc' }, ports: [{ port: 80, protocol: 'TCP' }] },
  });
  await putSlice('lc', ips.map((ip) => ep(ip)), port);
  await programmed('lc', ips);
  const vip = toLoopback(svc.spec.clusterIP!);
  // Hold one connection open to "x": the next two go to "y" (fewer connections), then ties rotate.
  const held = net.connect({ host: vip, port: 80 });
  let heldName = '';
  held.on('data', (d) => (heldName += d.toString()));
  await waitFor(() => heldName === 'x\n');
  const other = net.connect({ host: vip, port: 80 });
  let otherName = '';
  other.on('data', (d) => (otherName += d.toString()));
  await waitFor(() => otherName === 'y\n');
  held.destroy();
  other.destroy();
  assert.equal(portMetrics('lc')!.totalConnections, 2);
});

test('bulk transfer keeps every byte in order, both directions, with backpressure', async () => {
  const port = await echoServers(['127.0.19.1'], ['bulk']);
  const svc = await createService('bulk', { selector: { app: 'bulk' } });
  await putSlice('bulk', [ep('127.0.19.1')], port);
  await programmed('bulk', ['127.0.19.1']);
  const payload = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919 + (i >> 13)) & 0xff;
  const expected = Buffer.concat([Buffer.from('bulk\n'), payload]);
  const received = await new Promise<Buffer>((resolve, reject) => {
    const s = net.connect({ host: toLoopback(svc.spec.clusterIP!), port: 80 });
    const chunks: Buffer[] = [];
    let n = 0;
    s.on('data', (d) => {
      chunks.push(d);
      n += d.length;
      if (n >= expected.length) {
        s.end();
        resolve(Buffer.concat(chunks));
      }
    });
    s.on('error', reject);
    s.write(payload);
  });
  assert.equal(received.length, expected.length);
  assert.ok(received.equals(expected), 'bytes differ');
  const m = await waitFor(() => {
    const e = portMetrics('bulk')!.endpoints[0];
    return e.bytesIn === payload.length && e;
  });
  assert.equal(m.bytesOut, expected.length);
});

test('a slow reader: the proxy stops reading from the endpoint until the client takes the bytes, and loses none', async () => {
  const size = 32 * 1024 * 1024;
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    const block = Buffer.alloc(1024 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        for (let i = 0; i < block.length; i++) block[i] = (sent + i) & 0xff;
        sent += block.length;
        if (!s.write(Buffer.from(block))) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.19.2', () => r()));
  closers.push(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  const svc = await createService('slow', { selector: { app: 'slow' } });
  await putSlice('slow', [ep('127.0.19.2')], port);
  await programmed('slow', ['127.0.19.2']);
  const result = await new Promise<{ n: number; ok: boolean }>((resolve, reject) => {
    const s = net.connect({ host: toLoopback(svc.spec.clusterIP!), port: 80 });
    let n = 0;
    let ok = true;
    s.pause();
    // Socket buffers fill while the client does not read; then it reads everything.
    setTimeout(() => s.resume(), 300);
    s.on('data', (d: Buffer) => {
      for (let i = 0; i < d.length; i += 4093) if (d[i] !== ((n + i) & 0xff)) ok = false;
      n += d.length;
    });
    s.on('end', () => resolve({ n, ok }));
    s.on('error', reject);
  });
  assert.deepEqual(result, { n: size, ok: true });
});

test('half-close passes through: the client ends its side and still gets the whole answer', async () => {
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    // Answers only after the client's FIN: the reply travels on the half-open connection.
    s.on('end', () => s.end(`got ${Buffer.concat(chunks).length} bytes`));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.19.3', () => r()));
  closers.push(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  const svc = await createService('halfclose', { selector: { app: 'halfclose' } });
  await putSlice('halfclose', [ep('127.0.19.3')], port);
  await programmed('halfclose', ['127.0.19.3']);
  const answer = await new Promise<string>((resolve, reject) => {
    const s = net.connect({ host: toLoopback(svc.spec.clusterIP!), port: 80, allowHalfOpen: true });
    let data = '';
    s.on('data', (d) => (data += d));
    s.on('end', () => resolve(data));
    s.on('error', reject);
    s.end(Buffer.alloc(100_000, 1));
  });
  assert.equal(answer, 'got 100000 bytes');
});

test('resets pass through: an endpoint that resets or refuses resets the client', async () => {
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.resetAndDestroy());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.19.4', () => r()));
  closers.push(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  const svc = await createService('resetter', { selector: { app: 'resetter' } });
  await putSlice('resetter', [ep('127.0.19.4')], port);
  await programmed('resetter', ['127.0.19.4']);
  const host = toLoopback(svc.spec.clusterIP!);
  const code = await new Promise<string>((resolve) => {
    const s = net.connect({ host, port: 80 }, () => s.write('hello'));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    s.on('close', () => resolve('closed'));
  });
  assert.equal(code, 'ECONNRESET');
  // Nothing listens on 127.0.19.5:<port>: the proxy's connect is refused.
  await putSlice('resetter', [ep('127.0.19.5')], port);
  await programmed('resetter', ['127.0.19.5']);
  assert.equal(await connectError(host, 80), 'ECONNRESET');
  await waitFor(() => portMetrics('resetter')!.activeConnections === 0);
});

test('a refused connect goes on to the next endpoint: no client is refused while one endpoint serves', async () => {
  // 127.0.22.1 and .2 listen on nothing (a pod not listening yet, or not any more); .3 serves.
  const port = await echoServers(['127.0.22.3'], ['Pod ok']);
  const svc = await createService('redispatch', { selector: { app: 'redispatch' } });
  const ips = ['127.0.22.1', '127.0.22.2', '127.0.22.3'];
  await putSlice('redispatch', ips.map((ip) => ep(ip)), port);
  await programmed('redispatch', ips);
  const vip = toLoopback(svc.spec.clusterIP!);
  for (let i = 0; i < 9; i++) assert.equal(await fetchName(vip, 80), 'Pod ok', `connection ${i}`);
  const m = portMetrics('redispatch')!;
  assert.equal(m.failedConnections, 0);
  assert.equal(m.totalConnections, 9);
  const byEp = new Map(m.endpoints.map((e) => [e.endpoint.split(':')[0], e]));
  // Round robin starts 3 of the 9 connections on each endpoint; each refused one moves on.
  assert.equal(byEp.get('127.0.22.3')!.totalConnections, 9);
  assert.ok(byEp.get('127.0.22.1')!.failedConnects >= 3 && byEp.get('127.0.22.2')!.failedConnects >= 3, JSON.stringify(m.endpoints));
  await waitFor(() => portMetrics('redispatch')!.activeConnections === 0 && portMetrics('redispatch')!.endpoints.every((e) => e.activeConnections === 0));
  assert.match(proxier.prometheusMetrics(), /kanzen_proxy_endpoint_connect_failures_total\{namespace="default",service="redispatch",port="",endpoint="127\.0\.22\.1:\d+"\} [1-9]/);
  // Every endpoint refusing: the client is reset, and that is counted.
  await putSlice('redispatch', [ep('127.0.22.1'), ep('127.0.22.2')], port);
  await waitFor(() => !proxier.routesNewConnectionsTo('127.0.22.3'));
  assert.equal(await connectError(vip, 80), 'ECONNRESET');
  await waitFor(() => portMetrics('redispatch')!.failedConnections === 1);
  assert.match(proxier.prometheusMetrics(), /kanzen_proxy_service_failed_connections_total\{namespace="default",service="redispatch",port="",protocol="TCP"\} 1/);
});

test('host sockets: served like the NodePort they map; given back without a local endpoint (policy Local), asked for again with one', async () => {
  const port = await echoServers(['127.0.19.6'], ['hosted']);
  const svc = await createService('hosted', { type: 'NodePort', externalTrafficPolicy: 'Local', selector: { app: 'hosted' } });
  const nodePort = svc.spec.ports![0].nodePort!;
  await putSlice('hosted', [ep('127.0.19.6')], port);
  await programmed('hosted', ['127.0.19.6']);
  // The daemon's socket for the host's 127.0.0.1:<nodePort>, here bound elsewhere on
  // loopback (this test's namespace also holds the node's own NodePort listeners).
  const handle = newTcpServer();
  assert.equal(handle.bind('127.0.30.1', 0), 0);
  const out: { port?: number } = {};
  handle.getsockname(out);
  proxier.adoptHostSocket('127.0.0.1', nodePort, handle);
  assert.equal(await fetchName('127.0.30.1', out.port!), 'hosted');

  await putSlice('hosted', [ep('127.0.19.6', { node: 'node-2' })], port);
  await waitFor(async () => (await connectError('127.0.30.1', out.port!)) === 'ECONNREFUSED');
  assert.equal(hostSocketRequests.length, 0);
  await putSlice('hosted', [ep('127.0.19.6')], port);
  await waitFor(() => hostSocketRequests.includes(`127.0.0.1:${nodePort}`));
});

test('churn: connections that end normally, reset from either side or half-close all end, and none is left open', async () => {
  // Endpoint behaviour by the first byte the client sends: e echoes until the client ends,
  // r resets at once, h answers after the client's FIN.
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    s.once('data', (d) => {
      const mode = String.fromCharCode(d[0]);
      if (mode === 'r') return void s.resetAndDestroy();
      if (mode === 'h') return void s.on('end', () => s.end('bye'));
      s.write(d);
      s.pipe(s);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.19.7', () => r()));
  closers.push(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  const svc = await createService('churn', { selector: { app: 'churn' } });
  await putSlice('churn', [ep('127.0.19.7')], port);
  await programmed('churn', ['127.0.19.7']);
  const host = toLoopback(svc.spec.clusterIP!);
  const one = (i: number) =>
    new Promise<string>((resolve) => {
      const kind = ['echo', 'client-reset', 'endpoint-reset', 'half-close'][i % 4];
      const s = net.connect({ host, port: 80, allowHalfOpen: true });
      let got = '';
      s.on('error', (e: NodeJS.ErrnoException) => resolve(`${kind}:${e.code}`));
      s.on('close', () => resolve(`${kind}:${got.length > 0 ? 'data' : 'closed'}`));
      s.on('data', (d) => {
        got += d;
        if (kind === 'echo' && got.length >= 5000) s.end();
        if (kind === 'client-reset') s.resetAndDestroy();
      });
      s.on('end', () => s.end());
      if (kind === 'echo') s.write('e' + 'x'.repeat(4999));
      else if (kind === 'client-reset') s.write('e' + 'x'.repeat(100));
      else if (kind === 'endpoint-reset') s.write('r');
      else s.end('h');
    });
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => one(i)));
  const tally = new Map<string, number>();
  for (const r of results) tally.set(r, (tally.get(r) ?? 0) + 1);
  assert.equal(tally.get('echo:data'), 50, JSON.stringify([...tally]));
  assert.equal(tally.get('half-close:data'), 50, JSON.stringify([...tally]));
  assert.equal(tally.get('endpoint-reset:ECONNRESET'), 50, JSON.stringify([...tally]));
  await waitFor(() => {
    const m = portMetrics('churn')!;
    return m.activeConnections === 0 && m.totalConnections === 200;
  });
});
