// End to end: a real API server (fixture), the DNS instance on 127.0.0.1:<free port>, and
// the real `dig` (Debian dnsutils) as the client. Changes are observed by polling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startApiFixture } from '../testing/api-fixture.js';
import { waitFor } from '../testing/wait.js';
import { resourceFor } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { createLogger } from '../util/logger.js';
import type { EndpointSlice, Service } from '../api/types.js';
import { DnsInstance } from './instance.js';
import { decodeMessage, encodeQuery, Type } from './wire.js';

const run = promisify(execFile);

interface Dig {
  status: string;
  flags: string[];
  answer: string[][];
  authority: string[][];
  additional: string[][];
}

async function dig(port: number, name: string, type = 'A', extra: string[] = []): Promise<Dig> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=3', '+nocookie', ...extra, name, type]);
  const status = stdout.match(/status: (\w+)/)?.[1] ?? '';
  const flags = (stdout.match(/;; flags: ([^;]*);/)?.[1] ?? '').trim().split(/\s+/);
  const section = (title: string) => {
    const m = stdout.split(`;; ${title} SECTION:\n`)[1];
    if (!m) return [];
    return m.split('\n\n')[0].split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.split(/\s+/));
  };
  return { status, flags, answer: section('ANSWER'), authority: section('AUTHORITY'), additional: section('ADDITIONAL') };
}

/** waitFor at dig's pace (each poll runs dig), with the longer deadline these tests had. */
const poll = <T>(fn: () => Promise<T | undefined | false>): Promise<T> => waitFor(fn, 20_000, 'condition', 100);

function corefile(upstreamPort: number, ttl: number, extra = ''): string {
  return `.:0 {
    errors
    health 127.0.0.1:0
    ready 127.0.0.1:0
    prometheus 127.0.0.1:0
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl ${ttl}
    }
    forward . 127.0.0.1:${upstreamPort}
    loop
    reload 100ms
    loadbalance
${extra}}
`;
}

test('kanzen DNS end to end with dig', async (t) => {
  const api = await startApiFixture();
  const client = api.client('dns-test');
  const informers = new InformerFactory(client);
  // An upstream that never answers: forwarded names must get a clean SERVFAIL.
  const blackhole = dgram.createSocket('udp4');
  await new Promise<void>((r) => blackhole.bind(0, '127.0.0.1', () => r()));
  const upstreamPort = blackhole.address().port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-dns-'));
  const conf = path.join(dir, 'Corefile');
  fs.writeFileSync(conf, corefile(upstreamPort, 5));
  const logs: string[] = [];
  const fatal: string[] = [];
  const inst = await DnsInstance.start({
    corefile: fs.readFileSync(conf, 'utf8'),
    corefilePath: conf,
    host: '127.0.0.1',
    logger: createLogger('dns', { level: 'debug', write: (l) => logs.push(l) }),
    informers,
    reloadMinIntervalMs: 50,
    forwardTimeouts: { timeoutMs: 300, budgetMs: 600 },
    fatal: (m) => fatal.push(m),
  });
  t.after(async () => {
    await inst.stop();
    informers.stop();
    blackhole.close();
    await api.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const port = inst.port;
  const http = (p: string, plugin: 'health' | 'ready' | 'prometheus') => fetch(`http://127.0.0.1:${inst.httpPort(plugin)}${p}`);

  await t.test('health and ready', async () => {
    assert.equal(await (await http('/health', 'health')).text(), 'OK');
    await poll(async () => (await http('/ready', 'ready')).status === 200);
  });

  const svcs = resourceFor('services');
  const slices = resourceFor('endpointslices', 'discovery.k8s.io');
  let webIP = '';

  await t.test('ClusterIP Service: A, case preserved, SRV, PTR, TCP', async () => {
    const web = await client.create<Service>(svcs, 'default', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }] },
    });
    webIP = web.spec.clusterIP!;
    const r = await poll(async () => {
      const d = await dig(port, 'web.default.svc.cluster.local');
      return d.status === 'NOERROR' && d.answer.length ? d : undefined;
    });
    assert.deepEqual(r.answer, [['web.default.svc.cluster.local.', '5', 'IN', 'A', webIP]]);
    assert.deepEqual(r.flags, ['qr', 'aa', 'rd']);
    const upper = await dig(port, 'WEB.Default.svc.cluster.local');
    assert.deepEqual(upper.answer, [['WEB.Default.svc.cluster.local.', '5', 'IN', 'A', webIP]]);
    const srv = await dig(port, '_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.deepEqual(srv.answer, [['_http._tcp.web.default.svc.cluster.local.', '5', 'IN', 'SRV', '0', '100', '80', 'web.default.svc.cluster.local.']]);
    assert.deepEqual(srv.additional, [['web.default.svc.cluster.local.', '5', 'IN', 'A', webIP]]);
    const all = await dig(port, 'web.default.svc.cluster.local', 'SRV');
    assert.deepEqual(all.answer.map((a) => a.slice(5, 7)), [['50', '80'], ['50', '443']]);
    const ptr = await dig(port, webIP.split('.').reverse().join('.') + '.in-addr.arpa', 'PTR');
    assert.deepEqual(ptr.answer.map((a) => a[4]), ['web.default.svc.cluster.local.']);
    const tcp = await dig(port, 'web.default.svc.cluster.local', 'A', ['+tcp']);
    assert.equal(tcp.answer[0][4], webIP);
    const aaaa = await dig(port, 'web.default.svc.cluster.local', 'AAAA');
    assert.equal(aaaa.status, 'NOERROR');
    assert.equal(aaaa.answer.length, 0);
  });

  await t.test('negative answers carry the SOA', async () => {
    const nx = await dig(port, 'nosuch.default.svc.cluster.local');
    assert.equal(nx.status, 'NXDOMAIN');
    assert.deepEqual(nx.authority[0].slice(0, 6), ['cluster.local.', '5', 'IN', 'SOA', 'ns.dns.cluster.local.', 'hostmaster.cluster.local.']);
    assert.deepEqual(nx.authority[0].slice(7), ['7200', '1800', '86400', '5']);
    assert.equal((await dig(port, 'default.svc.cluster.local')).status, 'NOERROR');
    assert.equal((await dig(port, 'nons.svc.cluster.local')).status, 'NXDOMAIN');
    const v = await dig(port, 'dns-version.cluster.local', 'TXT');
    assert.deepEqual(v.answer, [['dns-version.cluster.local.', '28800', 'IN', 'TXT', '"1.1.0"']]);
    assert.deepEqual((await dig(port, '10-244-0-9.default.pod.cluster.local')).answer.map((a) => a[4]), ['10.244.0.9']);
  });

  await t.test('headless Service follows its EndpointSlice', async () => {
    await client.create<Service>(svcs, 'default', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' },
      spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
    });
    assert.equal((await poll(async () => (await dig(port, 'db.default.svc.cluster.local')).status === 'NXDOMAIN' && 'ok')), 'ok');
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'db-x1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.1.5'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['10.244.1.6'], conditions: { ready: true } },
      ],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    };
    const created = await client.create<EndpointSlice>(slices, 'default', slice);
    const both = await poll(async () => {
      const d = await dig(port, 'db.default.svc.cluster.local');
      return d.answer.length === 2 ? d : undefined;
    });
    assert.deepEqual(both.answer.map((a) => a[4]).sort(), ['10.244.1.5', '10.244.1.6']);
    assert.deepEqual((await dig(port, 'db-0.db.default.svc.cluster.local')).answer.map((a) => a[4]), ['10.244.1.5']);
    const srv = await dig(port, '_pg._tcp.db.default.svc.cluster.local', 'SRV');
    assert.deepEqual(srv.answer.map((a) => a.slice(4)).sort(), [
      ['0', '50', '5432', '10-244-1-6.db.default.svc.cluster.local.'],
      ['0', '50', '5432', 'db-0.db.default.svc.cluster.local.'],
    ]);
    assert.equal(srv.additional.length, 2);
    const ptr = await dig(port, '5.1.244.10.in-addr.arpa', 'PTR');
    assert.deepEqual(ptr.answer.map((a) => a[4]), ['db-0.db.default.svc.cluster.local.']);
    // Flip one endpoint to not ready.
    created.endpoints![1].conditions = { ready: false };
    await client.update(slices, created);
    const one = await poll(async () => {
      const d = await dig(port, 'db.default.svc.cluster.local');
      return d.answer.length === 1 ? d : undefined;
    });
    assert.equal(one.answer[0][4], '10.244.1.5');
  });

  await t.test('a deleted Service becomes NXDOMAIN; forwarded names get SERVFAIL', async () => {
    await client.delete(svcs, 'default', 'web');
    await poll(async () => (await dig(port, 'web.default.svc.cluster.local')).status === 'NXDOMAIN');
    assert.equal((await dig(port, 'example.com')).status, 'SERVFAIL');
    assert.equal((await dig(port, '9.9.9.9.in-addr.arpa', 'PTR')).status, 'SERVFAIL', 'reverse names fall through to forward');
  });

  await t.test('ExternalName is a CNAME', async () => {
    await client.create<Service>(svcs, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'db.default.svc.cluster.local' } });
    const d = await poll(async () => {
      const x = await dig(port, 'ext.default.svc.cluster.local');
      return x.answer.length ? x : undefined;
    });
    assert.deepEqual(d.answer[0], ['ext.default.svc.cluster.local.', '5', 'IN', 'CNAME', 'db.default.svc.cluster.local.']);
    assert.deepEqual(d.answer[1], ['db.default.svc.cluster.local.', '5', 'IN', 'A', '10.244.1.5']);
  });

  await t.test('malformed packets: FORMERR or dropped, and the server keeps answering', async () => {
    const sock = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    const seed = encodeQuery(5, 'db.default.svc.cluster.local', Type.A, { edns: 1232 });
    for (let i = 0; i < 500; i++) {
      let b = i % 2 ? crypto.randomBytes(crypto.randomInt(1, 100)) : Buffer.from(seed);
      if (!(i % 2)) for (let k = 0; k < 3; k++) b[crypto.randomInt(0, b.length)] = crypto.randomInt(0, 256);
      if (i % 5 === 0 && b.length > 1) b = b.subarray(0, crypto.randomInt(1, b.length));
      sock.send(b, port, '127.0.0.1');
    }
    const bad = Buffer.from(seed);
    bad.writeUInt16BE(2, 4);
    sock.send(bad, port, '127.0.0.1');
    await poll(async () => replies.some((r) => r.readUInt16BE(0) === 5 && (r.readUInt16BE(2) & 0xf) === 1));
    sock.close();
    assert.equal((await dig(port, 'db-0.db.default.svc.cluster.local')).answer[0][4], '10.244.1.5');
  });

  await t.test('reload applies an edited Corefile; an invalid one keeps the last good config', async () => {
    fs.writeFileSync(conf, corefile(upstreamPort, 7, '    cache 30\n'));
    await poll(async () => (await dig(port, 'db-0.db.default.svc.cluster.local')).answer[0]?.[1] === '7');
    fs.writeFileSync(conf, corefile(upstreamPort, 9, '    bogus\n'));
    await poll(async () => logs.some((l) => l.includes("Restart failed: Corefile:15 - Error during parsing: Unknown directive 'bogus'")));
    const d = await dig(port, 'db-0.db.default.svc.cluster.local');
    assert.ok(Number(d.answer[0][1]) <= 7);
    assert.equal(d.answer[0][4], '10.244.1.5');
  });

  await t.test('cache hits and request metrics', async () => {
    await dig(port, 'db.default.svc.cluster.local');
    await dig(port, 'db.default.svc.cluster.local');
    const text = await (await http('/metrics', 'prometheus')).text();
    const hits = text.match(/^coredns_cache_hits_total\{server="dns:\/\/:0",type="success",zones=".",view=""\} (\d+)$/m);
    assert.ok(hits && Number(hits[1]) >= 1, text);
    assert.match(text, /^coredns_dns_requests_total\{server="dns:\/\/:0",zone=".",view="",proto="udp",family="1",type="A"\} \d+$/m);
    assert.match(text, /^coredns_dns_responses_total\{server="dns:\/\/:0",zone=".",view="",rcode="NXDOMAIN",plugin="kubernetes"\} \d+$/m);
    assert.match(text, /^coredns_dns_request_duration_seconds_bucket\{server="dns:\/\/:0",zone=".",view="",type="A",le="\+Inf"\} \d+$/m);
    assert.match(text, /^coredns_build_info\{version="1.12.0",revision="kanzen",goversion="v\d+/m);
    assert.match(text, /^coredns_plugin_enabled\{server="dns:\/\/:0",zone=".",view="",name="kubernetes"\} 1$/m);
  });

  assert.deepEqual(fatal, [], 'no loop detected');
  void decodeMessage;
});
