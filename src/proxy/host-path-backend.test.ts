// The nftables mode's host path against the real kernel (root): the nftables backend writes
// its table into a throwaway network namespace, while the host sockets are served in this
// process's namespace by the userspace half, straight to an endpoint on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { runCommand } from '../node/cluster-network.js';
import { endpointKey, type EndpointInfo } from './endpoint.js';
import { HostPathBackend } from './host-path-backend.js';
import type { ServicePortProgram } from './provider.js';
import type { ServicePortInfo } from './service-port.js';
import { NftablesBackend } from './nftables/nftables-backend.js';
import { newTcpServer } from './userspace/libuv-stream.js';
import { UserspaceBackend } from './userspace/userspace-backend.js';
import { waitFor } from '../testing/wait.js';
import { testServicePortInfo, type TestServicePort } from '../testing/service-port-info.js';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot && 'needs root for a network namespace';
const netns = `kz-test-hostpath-${randomBytes(3).toString('hex')}`;
const table = 'kanzen-test-proxy';
const nodePort = 30123;

let endpointPort = 0;
let server: net.Server;
let backend: HostPathBackend;
const requested: string[] = [];

/** test/web:http, a LoadBalancer port: a NodePort and a loopback LoadBalancer IP, so host sockets. */
function info(o: TestServicePort = {}): ServicePortInfo {
  return testServicePortInfo({ namespace: 'test', service: 'web', portName: 'http', clusterIPs: ['10.96.0.50'], nodePort, loadBalancerIPs: ['127.0.100.7'], ...o });
}

function endpoint(ip: string, nodeName = 'node-1'): EndpointInfo {
  return { key: endpointKey(ip, endpointPort), ip, port: endpointPort, ready: true, serving: true, terminating: false, nodeName };
}

function program(p: Partial<ServicePortProgram> & { info: ServicePortInfo }): ServicePortProgram {
  const eps = [...(p.internal ?? []), ...(p.external ?? [])];
  return { internal: [], external: [], hasAnyEndpoints: eps.length > 0, serving: new Set(eps.map((e) => e.key)), ...p };
}

async function sync(key: string, p: ServicePortProgram | undefined): Promise<void> {
  await backend.syncServicePort(key, p);
  await backend.commit();
}

/** A host socket as the supervisor makes it (bound, not listening), here on another loopback address. */
function hostSocket(): { port: number; handle: ReturnType<typeof newTcpServer> } {
  const handle = newTcpServer();
  assert.equal(handle.bind('127.0.31.9', 0), 0);
  const out: { port?: number } = {};
  handle.getsockname(out);
  return { port: out.port!, handle };
}

function fetchLine(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.31.9');
    let data = '';
    s.on('data', (d) => (data += d));
    s.on('end', () => resolve(data.trim()));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`ERR:${e.code}`));
  });
}

before(async () => {
  if (!isRoot) return;
  await runCommand('ip', ['netns', 'add', netns]);
  server = net.createServer((s) => s.end(`endpoint ${s.localAddress}\n`));
  await new Promise<void>((r) => server.listen(0, '127.0.31.1', () => r()));
  endpointPort = (server.address() as net.AddressInfo).port;
  backend = new HostPathBackend(
    new NftablesBackend({ table, nodePortAddresses: ['172.18.0.2'], clusterCIDRs: ['10.244.0.0/16'], netns }),
    new UserspaceBackend({ nodePortAddresses: [], hostSocketsOnly: true, requestHostSocket: (ip, port) => requested.push(`${ip}:${port}`) }),
  );
});

after(async () => {
  if (!isRoot) return;
  await backend.stop();
  server.close();
  await runCommand('ip', ['netns', 'del', netns]);
});

test('the kernel gets the Service port, the host socket reaches the endpoint directly, and the counts add up', { skip }, async () => {
  const key = info().key;
  await sync(key, program({ info: info(), internal: [endpoint('127.0.31.1')], external: [endpoint('127.0.31.1')] }));
  // The kernel half wrote its table in the node namespace; nothing listens in this one.
  const { stdout } = await runCommand('ip', ['netns', 'exec', netns, 'nft', 'list', 'table', 'ip', table]);
  assert.match(stdout, /10\.96\.0\.50/);
  assert.equal(await fetchLine(nodePort).then((l) => l.startsWith('ERR:')), true, 'no userspace listener on a NodePort of its own');

  const { port, handle } = hostSocket();
  backend.adoptHostSocket('127.0.0.1', nodePort, handle);
  assert.equal(await fetchLine(port), 'endpoint 127.0.31.1');
  assert.equal(await fetchLine(port), 'endpoint 127.0.31.1');
  assert.ok(backend.routesNewConnectionsTo('127.0.31.1', endpointPort));
  assert.deepEqual([...backend.programmedServicePorts()], [key]);

  // One StatsSource for the port: the host path's two connections on top of the kernel's (none here).
  await backend.refreshStats();
  const sources = [...backend.statsSources()];
  assert.equal(sources.length, 1);
  await waitFor(() => sources[0].stats.totalConnections === 2 || [...backend.statsSources()][0].stats.totalConnections === 2);
  const eps = [...[...backend.statsSources()][0].endpointStats()];
  assert.deepEqual(
    eps.map((e) => [e.endpoint, e.totalConnections]),
    [[endpointKey('127.0.31.1', endpointPort), 2]],
  );
  backend.releaseHostSocket('127.0.0.1', nodePort);
});

test('externalTrafficPolicy Local without a local endpoint: the host socket is given back, and asked for again with one', { skip }, async () => {
  const key = info().key;
  const local = info({ externalPolicyLocal: true });
  const { port, handle } = hostSocket();
  await sync(key, program({ info: local, internal: [endpoint('127.0.31.1')], external: [endpoint('127.0.31.1')] }));
  backend.adoptHostSocket('127.0.0.1', nodePort, handle);
  assert.equal(await fetchLine(port), 'endpoint 127.0.31.1');

  // The only endpoint is on another node: external traffic has none here.
  await sync(key, program({ info: local, internal: [endpoint('127.0.31.1', 'node-2')], external: [], hasAnyEndpoints: true }));
  assert.equal(await fetchLine(port), 'ERR:ECONNREFUSED');
  assert.deepEqual(requested, []);
  await sync(key, program({ info: local, internal: [endpoint('127.0.31.1')], external: [endpoint('127.0.31.1')] }));
  assert.deepEqual(requested, [`127.0.0.1:${nodePort}`]);
});

test('a Service port without host sockets is the kernel\'s alone; a removed one leaves neither half routing', { skip }, async () => {
  const key = 'test/internal:http/TCP';
  const internal = testServicePortInfo({ namespace: 'test', service: 'internal', portName: 'http', clusterIPs: ['10.96.0.51'] });
  assert.equal(internal.key, key);
  await sync(key, program({ info: internal, internal: [endpoint('127.0.31.3')], external: [endpoint('127.0.31.3')] }));
  assert.ok(backend.routesNewConnectionsTo('127.0.31.3'));
  await sync(key, undefined);
  await sync(info().key, undefined);
  assert.ok(!backend.routesNewConnectionsTo('127.0.31.3') && !backend.routesNewConnectionsTo('127.0.31.1'));
  assert.deepEqual([...backend.programmedServicePorts()], []);
});
