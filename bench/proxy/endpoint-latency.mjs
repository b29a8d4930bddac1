#!/usr/bin/env node
// "Endpoint change to routable": how long from an EndpointSlice write to the API until the
// Service proxy has programmed it. A fake-runtime cluster (its own daemon process: API
// server, controllers, no pod processes) holds N selector-less Services (default 1000), each
// with an EndpointSlice of two endpoints; a Proxier runs in this process (the real userspace
// backend, listening on every ClusterIP mapped into 127.0.0.0/8) with its own informers over
// the API socket, as a node agent's does. An endpoint is flipped (ready ↔ not ready) with a
// PUT, and the clock stops when the proxier's onEndpointsChanged reports that Service port
// programmed — checked with routesNewConnectionsTo(), which must then agree with the flip.
//
//   sequential  one flip at a time, a random Service each time (--flips, default 500)
//   burst       one flip on every Service at once (--bursts times, default 3), the writes
//               issued concurrently: the p99 shows how a sync batch behaves under churn
//
// Results (p50/p99/max, and the API write's own round trip) replace the
// "### Endpoint change to routable" subsection of "## Service proxy" in docs/benchmarks.md
// (--no-write to only print).
//
//   npx tsc -p tsconfig.json && node bench/proxy/endpoint-latency.mjs [--services 1000] [--flips 500] [--bursts 3]
//   KANZEN_DIST=/path/to/dist node bench/proxy/endpoint-latency.mjs
//
// Network safety: the listeners are on 127.196–211.x.y (10.96.0.0/12 ClusterIPs + 100 in the
// second octet), loopback only; nothing connects to the endpoints' addresses.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.resolve(process.env.KANZEN_DIST ?? path.join(root, 'dist'));
const imp = (rel) => import(pathToFileURL(path.join(dist, rel)).href);
const { ApiClient, resourceFor } = await imp('client/api-client.js');
const { Proxier, serviceKeyOfPortKey } = await imp('proxy/proxier.js');

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const nServices = opt('services', 1000);
const nFlips = opt('flips', 500);
const nBursts = opt('bursts', 3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-eplat-'));
const name = 'eplat';
const cli = path.join(dist, 'cli/main.js');
const kanzen = (...a) => spawnSync(process.execPath, [cli, ...a, '--name', name, '--home', home], { encoding: 'utf8' });
const services = resourceFor('services');
const slices = resourceFor('endpointslices', 'discovery.k8s.io');

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const stats = (xs) => ({ n: xs.length, p50: pct(xs, 50), p99: pct(xs, 99), max: Math.max(...xs) });

const flipIP = (i) => `10.250.${i >> 8}.${i & 255}`;
const stableIP = (i) => `10.251.${i >> 8}.${i & 255}`;
const slice = (i, ready, resourceVersion) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `lat-${i}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': `lat-${i}` }, ...(resourceVersion ? { resourceVersion } : {}) },
  addressType: 'IPv4',
  ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  endpoints: [
    { addresses: [stableIP(i)], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1' },
    { addresses: [flipIP(i)], conditions: { ready, serving: ready, terminating: false }, nodeName: 'node-1' },
  ],
});

let client;
let proxier;
let result;
try {
  const up = kanzen('up', '--runtime', 'fake', '--nodes', '1', '--api-port', String(await freePort()), '--no-kubeconfig', '--store', 'memory:');
  if (up.status !== 0) throw new Error(`up failed: ${up.stdout}${up.stderr}`);
  const socketPath = [path.join(home, 'run', 'apiserver.sock'), path.join(home, 'apiserver.sock')].find((p) => fs.existsSync(p));
  client = new ApiClient({ socketPath }, 'eplat-bench');

  // Services and slices, 16 writes in flight.
  const t0 = performance.now();
  const rv = new Array(nServices);
  const ready = new Array(nServices).fill(true);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < nServices) {
        const i = next++;
        await client.create(services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: `lat-${i}` }, spec: { ports: [{ port: 80, targetPort: 8080 }] } });
        rv[i] = (await client.create(slices, 'default', slice(i, true))).metadata.resourceVersion;
      }
    }),
  );
  console.log(`created ${nServices} Services + EndpointSlices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // The proxier, as a node agent runs it (own informers over the API socket).
  const toLoopback = (ip) => {
    const [, b, c, d] = ip.split('.').map(Number);
    return `127.${b + 100}.${c}.${d}`;
  };
  proxier = new Proxier({ client: new ApiClient({ socketPath }, 'kube-proxy'), nodeName: 'node-1', nodeIPs: [], listenAddressFor: toLoopback });
  const waiting = new Map(); // service index → { t0, ready, resolve }
  const indexOf = (portKey) => {
    const m = /^default\/lat-(\d+)$/.exec(serviceKeyOfPortKey(portKey));
    return m ? Number(m[1]) : -1;
  };
  const programmed = new Set();
  let mismatches = 0;
  proxier.onEndpointsChanged((ev) => {
    const now = performance.now();
    for (const k of ev.servicePorts) {
      const i = indexOf(k);
      if (i < 0) continue;
      programmed.add(i);
      const w = waiting.get(i);
      if (!w) continue;
      // Routable means the proxy's new-connection choice already follows the flip.
      if (proxier.routesNewConnectionsTo(flipIP(i), 8080) !== w.ready) continue;
      waiting.delete(i);
      w.resolve(now - w.t0);
    }
  });
  const tStart = performance.now();
  proxier.start();
  await proxier.waitForSync();
  while (programmed.size < nServices) await sleep(20);
  const initialSyncS = (performance.now() - tStart) / 1000;
  console.log(`proxier programmed ${nServices} Services in ${initialSyncS.toFixed(2)} s`);

  async function flip(i) {
    ready[i] = !ready[i];
    const t0 = performance.now();
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(i);
        reject(new Error(`lat-${i} not programmed in 10 s`));
      }, 10_000);
      waiting.set(i, { t0, ready: ready[i], resolve: (ms) => (clearTimeout(timer), resolve(ms)) });
    });
    const res = await client.update(slices, slice(i, ready[i], rv[i]));
    const writeMs = performance.now() - t0;
    rv[i] = res.metadata.resourceVersion;
    return { ms: await done, writeMs };
  }

  const seq = [];
  const seqWrite = [];
  const seqAfter = [];
  for (let k = 0; k < nFlips; k++) {
    const r = await flip(Math.floor(Math.random() * nServices));
    seq.push(r.ms);
    seqWrite.push(r.writeMs);
    seqAfter.push(r.ms - r.writeMs);
    await sleep(5);
  }
  const burst = [];
  const burstWrite = [];
  const burstAfter = [];
  for (let b = 0; b < nBursts; b++) {
    const rs = await Promise.all(Array.from({ length: nServices }, (_, i) => flip(i)));
    for (const r of rs) {
      burst.push(r.ms);
      burstWrite.push(r.writeMs);
      burstAfter.push(r.ms - r.writeMs);
    }
    await sleep(500);
  }
  for (let i = 0; i < nServices; i++) if (proxier.routesNewConnectionsTo(flipIP(i), 8080) !== ready[i]) mismatches++;
  const m = proxier.metrics();
  result = { seq: stats(seq), seqWrite: stats(seqWrite), seqAfter: stats(seqAfter), burst: stats(burst), burstWrite: stats(burstWrite), burstAfter: stats(burstAfter), initialSyncS, mismatches, metrics: m };
} catch (e) {
  console.error(e);
} finally {
  await proxier?.stop();
  client?.close();
  kanzen('down', '--purge');
  fs.rmSync(home, { recursive: true, force: true, maxRetries: 5 });
}
if (!result) process.exit(1);

const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
let sub = '### Endpoint change to routable\n\n';
sub += `Measured ${new Date().toISOString().slice(0, 10)} with \`node bench/proxy/endpoint-latency.mjs --services ${nServices} --flips ${nFlips} --bursts ${nBursts}\` on ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}. `;
sub += `A fake-runtime cluster (API server in its own process) with ${nServices} Services, each with an EndpointSlice of two endpoints; a Proxier with the userspace backend in the bench process, informers over the API socket as in a node agent. `;
sub += `An endpoint is flipped ready ↔ not ready by a PUT of its EndpointSlice; the time runs from just before the PUT to the proxier's onEndpointsChanged for that Service port, with routesNewConnectionsTo() already agreeing with the flip. `;
sub += `Initial programming of all ${nServices} Services (${nServices} ClusterIP listeners): ${result.initialSyncS.toFixed(2)} s. Proxy state disagreeing with the API at the end: ${result.mismatches}.\n\n`;
sub += `The last column is the time from the PUT's response to the proxy's programming (negative: programmed before the response arrived): under a burst the API server's queue, not the proxy, makes the latency.\n\n`;
sub += `| flips | n | p50 (ms) | p99 (ms) | max (ms) | API write round trip p50 / p99 (ms) | after the write's response p50 / p99 (ms) |\n|---|---|---|---|---|---|---|\n`;
sub += `| sequential (one at a time, random Service) | ${result.seq.n} | ${f(result.seq.p50)} | ${f(result.seq.p99)} | ${f(result.seq.max)} | ${f(result.seqWrite.p50)} / ${f(result.seqWrite.p99)} | ${f(result.seqAfter.p50)} / ${f(result.seqAfter.p99)} |\n`;
sub += `| burst (all ${nServices} Services at once, ×${nBursts}) | ${result.burst.n} | ${f(result.burst.p50)} | ${f(result.burst.p99)} | ${f(result.burst.max)} | ${f(result.burstWrite.p50)} / ${f(result.burstWrite.p99)} | ${f(result.burstAfter.p50)} / ${f(result.burstAfter.p99)} |\n`;
console.log('\n' + sub);

if (!argv.includes('--no-write')) {
  const doc = path.join(root, 'docs/benchmarks.md');
  let text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n';
  if (!/## Service proxy\n/.test(text)) text = text.trimEnd() + '\n\n## Service proxy\n';
  const subRe = /### Endpoint change to routable\n[\s\S]*?(?=\n### |\n## |$)/;
  if (subRe.test(text)) text = text.replace(subRe, sub.trimEnd() + '\n');
  else {
    // At the end of "## Service proxy".
    const sec = /## Service proxy\n[\s\S]*?(?=\n## |$)/;
    text = text.replace(sec, (s) => s.trimEnd() + '\n\n' + sub.trimEnd() + '\n');
  }
  fs.writeFileSync(doc, text);
  console.log(`wrote ${doc}`);
}
process.exit(0);
