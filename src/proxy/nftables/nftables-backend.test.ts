// The nftables backend against the real kernel (root): throwaway namespaces (netns-lab.ts),
// tiny TCP/UDP servers on three endpoint addresses, the backend's rules applied with the
// real nft in the lab's node namespace, and a client connecting from outside the pod
// network to the Services' virtual IPs.
import { after, before, describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import type { EndpointInfo } from '../endpoint.js';
import type { ServicePortInfo } from '../service-port.js';
import { servicePortProgram } from '../topology.js';
import { createNetnsLab, type NetnsLab } from '../../testing/netns-lab.js';
import { testServicePortInfo } from '../../testing/service-port-info.js';
import { nftListJson } from '../../util/nftables.js';
import { waitFor } from '../../testing/wait.js';
import { NftablesBackend } from './nftables-backend.js';
import { endpointObjectNames } from './service-port-rules.js';

const isRoot = process.getuid?.() === 0;
const execFileP = promisify(execFile);
const podIPs = ['10.244.1.2', '10.244.1.3', '10.244.1.4'];

// Each endpoint answers with its own address and the client address it saw.
const serverSource = `
import net from 'node:net';
import dgram from 'node:dgram';
const ips = process.argv.slice(1).filter((a) => a !== '--');
let pending = ips.length * 4;
const up = () => { if (--pending === 0) console.log('ready'); };
for (const ip of ips) {
  for (const port of [8080, 8081]) net.createServer((s) => s.end(ip + ' ' + s.remoteAddress + '\\n')).listen(port, ip, up);
  // 8082 holds a connection open until the client closes it.
  net.createServer((s) => { s.write(ip + '\\n'); s.on('end', () => s.end()); }).listen(8082, ip, up);
  const u = dgram.createSocket('udp4');
  u.on('message', (_m, r) => u.send(ip, r.port, r.address));
  u.bind(5353, ip, up);
}
`;

// Connects `count` times in turn; prints one line per connection: the reply or ERR:<code>.
const tcpClientSource = `
import net from 'node:net';
const [host, port, count, localAddress] = process.argv.slice(1).filter((a) => a !== '--');
for (let i = 0; i < Number(count); i++) {
  const line = await new Promise((resolve) => {
    const s = net.connect({ port: Number(port), host, localAddress });
    let data = '';
    s.on('data', (d) => (data += d));
    s.on('end', () => resolve(data.trim()));
    s.on('error', (e) => resolve('ERR:' + e.code));
    s.setTimeout(3000, () => { s.destroy(); resolve('TIMEOUT'); });
  });
  console.log(line);
}
`;

// Opens `count` connections and holds them; prints "ready" once every one has its greeting.
const holdingClientSource = `
import net from 'node:net';
const [host, port, count] = process.argv.slice(1).filter((a) => a !== '--');
let greeted = 0;
for (let i = 0; i < Number(count); i++) {
  const s = net.connect({ port: Number(port), host });
  s.once('data', () => { if (++greeted === Number(count)) console.log('ready'); });
}
`;

// One datagram from a fixed source port (so every run is the same conntrack entry); prints the reply.
const udpClientSource = `
import dgram from 'node:dgram';
const [host, port, srcPort] = process.argv.slice(1).filter((a) => a !== '--');
const s = dgram.createSocket('udp4');
s.bind(Number(srcPort), () => {
  s.connect(Number(port), host, () => s.send('hi'));
});
s.on('message', (m) => { console.log(m.toString()); s.close(); });
s.on('error', (e) => { console.log('ERR:' + e.code); s.close(); });
setTimeout(() => { console.log('TIMEOUT'); s.close(); }, 2000).unref();
`;

function info(name: string, clusterIP: string, o: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return testServicePortInfo({ namespace: 'test', service: name, portName: 'p', clusterIPs: [clusterIP], ...o });
}

function endpoints(ips: readonly string[], port = 8080): EndpointInfo[] {
  return ips.map((ip) => ({ key: `${ip}:${port}`, ip, port, ready: true, serving: true, terminating: false, nodeName: 'node-1' }));
}

let lab: NetnsLab;
let backend: NftablesBackend;

async function program(i: ServicePortInfo, eps: EndpointInfo[]): Promise<void> {
  await backend.syncServicePort(i.key, servicePortProgram(i, eps, 'node-1'));
  await backend.commit();
}

async function connect(host: string, count: number, port = 80): Promise<string[]> {
  return (await lab.script(lab.client, tcpClientSource, [host, String(port), String(count)])).trim().split('\n');
}

// A suite, so that its after hook is awaited however the runner runs the file.
describe('nftables backend on the real kernel', { skip: !isRoot && 'needs root' }, () => {
  before(async () => {
    lab = await createNetnsLab(`nfttest-${process.pid}`, podIPs);
    await lab.daemon(lab.pods, serverSource, podIPs);
    // A second client address (source ranges, affinity).
    await execFileP('ip', ['-n', lab.client, 'addr', 'add', '10.0.0.3/24', 'dev', 'eth0']);
    backend = new NftablesBackend({ table: 'kanzen-nfttest-proxy', nodePortAddresses: [lab.nodeClientIP], clusterCIDRs: ['10.244.0.0/16'], netns: lab.node });
  });

  after(async () => {
    await backend?.stop();
    await lab?.remove();
  });

  test('round robin: connections to the ClusterIP reach the endpoints in turn, masqueraded, and are counted', async () => {
    const svc = info('rr', '10.96.0.10');
    await program(svc, endpoints(podIPs));
    const replies = await connect('10.96.0.10', 6);
    assert.deepEqual(
      replies.map((r) => r.split(' ')[0]),
      [...podIPs, ...podIPs],
    );
    // From outside the cluster CIDR: the endpoint sees the node's address.
    for (const r of replies) assert.equal(r.split(' ')[1], lab.nodePodIP);
    await backend.refreshStats();
    const src = [...backend.statsSources()].find((s) => s.stats.service === 'rr')!;
    assert.deepEqual(
      [...src.endpointStats()].map((e) => [e.endpoint, e.totalConnections]),
      podIPs.map((ip) => [`${ip}:8080`, 2]),
    );
    assert.equal(src.stats.totalConnections, 6);
    // Bytes each way, counted after DNAT: at least the replies' payload ("10.244.1.x 10.244.1.1\n") went out.
    for (const e of src.endpointStats()) {
      assert.ok(e.bytesIn > 0, `${e.endpoint} bytes in`);
      assert.ok(e.bytesOut >= 2 * '10.244.1.2 10.244.1.1\n'.length, `${e.endpoint} bytes out ${e.bytesOut}`);
    }
    assert.equal(src.stats.bytesOut, [...src.endpointStats()].reduce((n, e) => n + e.bytesOut, 0));
  });

  test('a Service without endpoints is refused at once (TCP reset, ICMP port unreachable for UDP)', async () => {
    await program(info('none', '10.96.0.11'), []);
    assert.deepEqual(await connect('10.96.0.11', 2), ['ERR:ECONNREFUSED', 'ERR:ECONNREFUSED']);
    await backend.refreshStats();
    assert.equal([...backend.statsSources()].find((s) => s.stats.service === 'none')!.stats.refusedConnections, 2);
    await program(info('none-udp', '10.96.0.12', { protocol: 'UDP' }), []);
    assert.equal((await lab.script(lab.client, udpClientSource, ['10.96.0.12', '80', '40001'])).trim(), 'ERR:ECONNREFUSED');
  });

  test('ClientIP affinity: every connection of a client goes to the endpoint it got first', async () => {
    await program(info('sticky', '10.96.0.13', { stickyMaxAgeSeconds: 600 }), endpoints(podIPs));
    const replies = await connect('10.96.0.13', 5);
    assert.equal(new Set(replies.map((r) => r.split(' ')[0])).size, 1, replies.join(', '));
    assert.ok(podIPs.includes(replies[0].split(' ')[0]));
  });

  test('removing an endpoint takes effect in one partial transaction; the drain gate sees it gone', async () => {
    // Port 8081: no other Service of these tests uses it.
    const svc = info('shrink', '10.96.0.14');
    await program(svc, endpoints(podIPs, 8081));
    assert.equal(backend.routesNewConnectionsTo('10.244.1.3', 8081), true);
    await program(svc, endpoints(['10.244.1.2', '10.244.1.4'], 8081));
    assert.doesNotMatch(backend.lastTransaction, /delete table/);
    assert.doesNotMatch(backend.lastTransaction, /10\.244\.1\.3:8081/);
    // 10.244.1.3 is still an endpoint of other Services: its hairpin element stays.
    assert.doesNotMatch(backend.lastTransaction, /hairpin/);
    assert.equal(backend.routesNewConnectionsTo('10.244.1.3', 8081), false);
    assert.equal(backend.routesNewConnectionsTo('10.244.1.3'), true, 'other Services still route to that pod');
    const replies = (await connect('10.96.0.14', 4)).map((r) => r.split(' ')[0]);
    assert.deepEqual(replies, ['10.244.1.2', '10.244.1.4', '10.244.1.2', '10.244.1.4']);
    // The kernel's rules DNAT to the removed endpoint no more.
    const table = await nftListJson(['list', 'table', 'ip', 'kanzen-nfttest-proxy'], { netns: lab.node });
    const dnats = table.flatMap((o) => ((o.rule as { expr?: { dnat?: { addr?: string; port?: number } }[] } | undefined)?.expr ?? []).flatMap((e) => (e.dnat ? [`${e.dnat.addr}:${e.dnat.port}`] : [])));
    assert.ok(dnats.includes('10.244.1.2:8081'), dnats.join(', '));
    assert.ok(!dnats.includes('10.244.1.3:8081'), dnats.join(', '));
  });

  test('UDP: when an endpoint goes, its conntrack entries go too, so a steady client moves on', async () => {
    const svc = info('dns', '10.96.0.15', { protocol: 'UDP', port: 80 });
    await program(svc, endpoints(['10.244.1.2'], 5353));
    const first = (await lab.script(lab.client, udpClientSource, ['10.96.0.15', '80', '40002'])).trim();
    assert.equal(first, '10.244.1.2');
    await program(svc, endpoints(['10.244.1.3'], 5353));
    // The same source port: without the cleanup the old entry would still DNAT to 10.244.1.2 (which still answers).
    const second = (await lab.script(lab.client, udpClientSource, ['10.96.0.15', '80', '40002'])).trim();
    assert.equal(second, '10.244.1.3');
  });

  test('a Service port removed: its address is no longer a Service; a full rebuild keeps counter totals', async () => {
    await backend.refreshStats();
    const before = [...backend.statsSources()].find((s) => s.stats.service === 'rr')!.stats.totalConnections;
    await backend.syncServicePort('test/shrink:p/TCP', undefined);
    await backend.commit();
    assert.equal(backend.routesNewConnectionsTo('10.244.1.4', 8080), true, 'rr still routes there');
    // Force a rebuild, as after a failed transaction: in place, the removed port's leftovers are not listed again.
    backend.requestRebuild();
    await backend.commit();
    assert.doesNotMatch(backend.lastTransaction, /delete table/);
    assert.doesNotMatch(backend.lastTransaction, /test\/shrink\//);
    await connect('10.96.0.10', 3);
    await backend.refreshStats();
    assert.equal([...backend.statsSources()].find((s) => s.stats.service === 'rr')!.stats.totalConnections, before + 3);
    // 10.96.0.14 is in the node's service range no more: nothing answers (no route in the lab).
    const r = await connect('10.96.0.14', 1);
    assert.match(r[0], /^(ERR:|TIMEOUT)/);
  });

  test('NodePort and LoadBalancer IP: Cluster policy masquerades, Local policy keeps the client address', async () => {
    await program(info('np', '10.96.0.16', { nodePort: 30080, loadBalancerIPs: ['192.168.99.22'] }), endpoints(['10.244.1.2']));
    const viaNodePort = await connect(lab.nodeClientIP, 1, 30080);
    assert.deepEqual(viaNodePort, [`10.244.1.2 ${lab.nodePodIP}`]);
    assert.deepEqual(await connect('192.168.99.22', 1), [`10.244.1.2 ${lab.nodePodIP}`]);
    // externalTrafficPolicy Local with an endpoint on this node: no masquerade, the endpoint sees the client.
    await program(info('np-local', '10.96.0.17', { nodePort: 30081, externalPolicyLocal: true }), endpoints(['10.244.1.3']));
    assert.deepEqual(await connect(lab.nodeClientIP, 1, 30081), [`10.244.1.3 ${lab.clientIP}`]);
    // …and with none on this node, outside traffic is dropped (the connection times out, no reset).
    await program(info('np-remote', '10.96.0.18', { nodePort: 30082, externalPolicyLocal: true }), [{ ...endpoints(['10.244.1.4'])[0], nodeName: 'node-2' }]);
    assert.deepEqual(await connect(lab.nodeClientIP, 1, 30082), ['TIMEOUT']);
    await backend.refreshStats();
    // Every SYN (with its retransmissions) of the connection was dropped and counted.
    assert.ok([...backend.statsSources()].find((s) => s.stats.service === 'np-remote')!.stats.droppedConnections >= 1);
  });

  test('hairpin: an endpoint reaching itself through its Service sees the node as the client', async () => {
    await program(info('hairpin', '10.96.0.19'), endpoints(['10.244.1.2']));
    const out = (await lab.script(lab.pods, tcpClientSource, ['10.96.0.19', '80', '1', '10.244.1.2'])).trim();
    assert.equal(out, `10.244.1.2 ${lab.nodePodIP}`);
  });

  test('open connections per endpoint come from conntrack: held ones count, closed ones do not', async () => {
    await program(info('held', '10.96.0.21'), endpoints(podIPs, 8082));
    const client = await lab.daemon(lab.client, holdingClientSource, ['10.96.0.21', '80', '2']);
    const active = async () => {
      await backend.refreshStats();
      const src = [...backend.statsSources()].find((s) => s.stats.service === 'held')!;
      return { service: src.stats.activeConnections, endpoints: [...src.endpointStats()].map((e) => e.activeConnections) };
    };
    // Round robin: one connection each on the first two endpoints.
    assert.deepEqual(await active(), { service: 2, endpoints: [1, 1, 0] });
    client.kill('SIGKILL');
    await waitFor(async () => (await active()).service === 0, 10_000, 'the closed connections to leave the count');
    assert.deepEqual((await active()).endpoints, [0, 0, 0]);
  });

  test('loadBalancerSourceRanges: a client inside the ranges reaches the LoadBalancer IP, one outside is dropped (and counted)', async () => {
    await program(info('fw', '10.96.0.22', { nodePort: 30083, loadBalancerIPs: ['192.168.99.23'], loadBalancerSourceRanges: ['10.0.0.3/32'] }), endpoints(['10.244.1.2']));
    const from = async (client: string, host: string, port: number) => (await lab.script(lab.client, tcpClientSource, [host, String(port), '1', client])).trim();
    assert.match(await from('10.0.0.3', '192.168.99.23', 80), /^10\.244\.1\.2 /);
    assert.equal(await from(lab.clientIP, '192.168.99.23', 80), 'TIMEOUT');
    // The NodePort is not subject to the ranges (upstream).
    assert.match(await from(lab.clientIP, lab.nodeClientIP, 30083), /^10\.244\.1\.2 /);
    await backend.refreshStats();
    assert.ok([...backend.statsSources()].find((s) => s.stats.service === 'fw')!.stats.droppedConnections >= 1);
  });

  // Two client addresses: each client gets pinned to another endpoint, so a fresh round
  // robin (which starts at the first endpoint again) cannot pass for affinity.
  const pinnedSvc = info('pinned', '10.96.0.20', { stickyMaxAgeSeconds: 600 });
  const pinnedEps = endpoints(podIPs);
  const pinnedFrom = async (client: string) => (await lab.script(lab.client, tcpClientSource, ['10.96.0.20', '80', '1', client])).trim().split(' ')[0];
  let pinned = '';
  let pinnedConnections = 0;

  test('ClientIP affinity and counters survive a rebuild of the table', async () => {
    await program(pinnedSvc, pinnedEps);
    assert.equal(await pinnedFrom('10.0.0.3'), podIPs[0]);
    pinned = await pinnedFrom(lab.clientIP);
    assert.equal(pinned, podIPs[1]);
    // Another table with sets in the namespace (as the NetworkPolicy table): nft 1.0.6 lists
    // its sets too, and the rebuild must leave them to it.
    await execFileP('ip', ['netns', 'exec', lab.node, 'nft', 'add table ip kanzen-nfttest-other; add set ip kanzen-nfttest-other peers-0 { type ipv4_addr; flags interval; }']);
    backend.requestRebuild();
    await backend.commit();
    assert.doesNotMatch(backend.lastTransaction, /delete table|peers-0/);
    assert.equal(await pinnedFrom(lab.clientIP), pinned, 'after a rebuild');
    await execFileP('ip', ['netns', 'exec', lab.node, 'nft', 'delete table ip kanzen-nfttest-other']);
    await backend.refreshStats();
    pinnedConnections = [...backend.statsSources()].find((s) => s.stats.service === 'pinned')!.stats.totalConnections;
    assert.equal(pinnedConnections, 3);
  });

  test('stop() leaves the rules forwarding; a restarted backend keeps the pin, the counters and the endpoints\' marks, and drops the rest', async () => {
    const markRules = () => backend.lastTransaction.split('\n').filter((l) => l.includes('test/pinned/') && l.includes('ct mark set'));
    backend.requestRebuild();
    await backend.commit();
    const marks = markRules();
    // Each endpoint's mark in its affinity rule and in its numgen rule.
    assert.equal(marks.length, 6);
    // An agent stopping cleanly leaves the table: the kernel keeps forwarding meanwhile.
    await backend.stop();
    assert.equal(await pinnedFrom(lab.clientIP), pinned, 'while no backend runs');
    // The next agent's first commit replaces the contents in one transaction: the pin and
    // the counters stay, what the old agent had and the new one does not want goes.
    backend = new NftablesBackend({ table: 'kanzen-nfttest-proxy', nodePortAddresses: [lab.nodeClientIP], clusterCIDRs: ['10.244.0.0/16'], netns: lab.node });
    await program(pinnedSvc, pinnedEps);
    assert.doesNotMatch(backend.lastTransaction, /delete table/);
    assert.equal(await pinnedFrom(lab.clientIP), pinned, 'after a restart');
    // The endpoints kept their conntrack marks, so open connections stay counted where they belong.
    assert.deepEqual(markRules(), marks);
    await backend.refreshStats();
    assert.equal([...backend.statsSources()].find((s) => s.stats.service === 'pinned')!.stats.totalConnections, pinnedConnections + 2);
    const chains = (await nftListJson(['list', 'chains', 'ip'], { netns: lab.node })).map((c) => (c.chain as { name?: string } | undefined)?.name ?? '');
    assert.deepEqual(chains.filter((n) => n.includes('test/rr/')), [], 'the old agent\'s Services are gone');
    assert.equal(chains.filter((n) => n.includes('test/pinned/')).length, 1);
  });

  test('a rebuild the kernel refuses in place is retried from an empty table', async () => {
    const clash = info('clash', '10.96.0.23', { stickyMaxAgeSeconds: 600 });
    const eps = endpoints(['10.244.1.2']);
    const prog = servicePortProgram(clash, eps, 'node-1');
    // A set of the wanted name and timeout but another type: neither a partial sync nor an
    // in-place rebuild (which keeps such a set) can declare it.
    const set = endpointObjectNames(prog, eps[0]).affinitySet;
    await execFileP('ip', ['netns', 'exec', lab.node, 'nft', `add set ip kanzen-nfttest-proxy ${set} { type inet_service; flags timeout; timeout 600s; }`]);
    await backend.syncServicePort(clash.key, prog);
    await assert.rejects(backend.commit(), /^Error: nft -f -/);
    await assert.rejects(backend.commit(), /^Error: nft -f -/);
    assert.doesNotMatch(backend.lastTransaction, /delete table/);
    await backend.commit();
    assert.match(backend.lastTransaction, /^add table ip kanzen-nfttest-proxy\ndelete table ip kanzen-nfttest-proxy\n/);
    assert.match((await connect('10.96.0.23', 1))[0], /^10\.244\.1\.2 /);
  });
});
