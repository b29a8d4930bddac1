#!/usr/bin/env node
// DNS benchmark: dnsperf against kanzen DNS and against Knot (an authoritative server
// serving the same names from a generated zone file), each server pinned to one core with
// taskset, same query file (in-cluster A names, SRV names, NXDOMAIN names, and names outside
// the cluster that kanzen forwards to Knot and answers from its cache), 10 s each.
// Both listen on 127.0.0.1 only. Results (QPS, average latency and its stddev, p50/p99 from a
// second run with dnsperf -v, and the server's CPU seconds) go to docs/benchmarks.md under
// "## DNS" (other sections are kept).
//
//   npm run build && node bench/dns/run.mjs
//   KANZEN_DIST=/path/to/dist SECONDS=10 node bench/dns/run.mjs
//
// Needs: dnsperf, knotd (Debian packages dnsperf, knot: installed with apt-get when missing,
// which needs root), taskset, 2+ cores. Every process it starts is stopped when it ends, on
// failure and on SIGINT/SIGTERM too, so the next run finds its ports free.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ensurePackages, has, root } from '../lib.mjs';

const seconds = Number(process.env.SECONDS ?? 10);
const latencySeconds = Math.min(5, seconds);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-dnsbench-'));
const serverCore = os.cpus().length > 1 ? '1' : '0';
const clientCore = '0';
const kanzenPort = 15353;
const knotPort = 15354;

// ---- prerequisites: checked (and installed) before anything is started.
ensurePackages('bench/dns', { dnsperf: 'dnsperf', knotd: 'knot' });
if (!has('taskset')) {
  console.error('bench/dns needs taskset (util-linux)');
  process.exit(1);
}

// ---- every process started below is stopped on the way out, whatever the way out is.
/** @type {import('node:child_process').ChildProcess[]} */
const started = [];
const exited = (p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', r)));
async function stopAll() {
  const running = started.filter((p) => p.exitCode === null && p.signalCode === null);
  for (const p of running) p.kill('SIGTERM');
  const timer = setTimeout(() => running.forEach((p) => p.kill('SIGKILL')), 5000);
  await Promise.all(running.map(exited));
  clearTimeout(timer);
}
function cleanupSync() {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanupSync();
    process.exit(128 + os.constants.signals[sig]);
  });
}
process.on('exit', cleanupSync);

function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function dnsperf(port, file) {
  const r = spawnSync('taskset', ['-c', clientCore, 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(seconds), '-q', '200', '-t', '2'], { encoding: 'utf8' });
  const out = r.stdout + r.stderr;
  const num = (re) => Number(out.match(re)?.[1] ?? NaN);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    sdMs: num(/Latency StdDev \(s\):\s+([\d.]+)/) * 1000,
    lost: num(/Queries lost:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    raw: out,
  };
}

/**
 * Latency percentiles: dnsperf prints none, but with -v it prints every answer's latency
 * ("> NOERROR name A 0.000123"). A separate run, so that printing cannot lower the QPS
 * figures above; same load (-q 200, as fast as the server answers).
 */
function dnsperfLatency(port, file) {
  const r = spawnSync('taskset', ['-c', clientCore, 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(latencySeconds), '-q', '200', '-t', '2', '-v'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const lat = [];
  for (const m of r.stdout.matchAll(/^> \S+ \S+ \S+ ([\d.]+)$/gm)) lat.push(Number(m[1]) * 1000);
  const sorted = Float64Array.from(lat).sort();
  const pct = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  return { p50Ms: pct(0.5), p99Ms: pct(0.99), samples: sorted.length };
}

async function measure(label, pid, port, file) {
  const before = cpuSeconds(pid);
  const r = dnsperf(port, file);
  const cpu = cpuSeconds(pid) - before;
  const l = dnsperfLatency(port, file);
  console.log(`${label}: ${r.qps.toFixed(0)} QPS, avg ${r.avgMs.toFixed(3)} ms (sd ${r.sdMs.toFixed(3)}), p50 ${l.p50Ms.toFixed(3)} ms, p99 ${l.p99Ms.toFixed(3)} ms, lost ${r.lost}, server CPU ${cpu.toFixed(1)} s`);
  // No figures (dnsperf failed, the server died): fail rather than write NaN into the docs.
  if (!Number.isFinite(r.qps)) throw new Error(`${label}: dnsperf gave no result:\n${r.raw}`);
  return { label, ...r, ...l, cpu };
}

try {
  await main();
} catch (err) {
  console.error(`bench/dns failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
}

async function main() {
  // 1. kanzen DNS (with its own in-memory API and generated objects).
  const kanzen = spawn('taskset', ['-c', serverCore, process.execPath, path.join(root, 'bench/dns/server.mjs')], {
    env: { ...process.env, PORT: String(kanzenPort), UPSTREAM_PORT: String(knotPort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(kanzen);
  let names;
  for await (const line of readline.createInterface({ input: kanzen.stdout })) {
    if (line.startsWith('{')) names = JSON.parse(line);
    if (line === 'READY') break;
  }
  if (!names) throw new Error(`the kanzen DNS server (bench/dns/server.mjs) exited before it was ready (exit ${kanzen.exitCode ?? kanzen.signalCode})`);
  const zone = 'cluster.local';
  const aNames = names.services.map((s) => `${s.name}.default.svc.${zone} A`).concat(names.headless.map((h) => `${h.name}.default.svc.${zone} A`));
  const srvNames = names.services.slice(0, 50).map((s) => `_http._tcp.${s.name}.default.svc.${zone} SRV`);
  const nxNames = Array.from({ length: 50 }, (_, i) => `nosuch-${i}.default.svc.${zone} A`);
  /** Names outside the cluster: kanzen forwards them to Knot (the upstream) and then answers from its cache. */
  const outsideZone = 'example.test';
  const fwdNames = Array.from({ length: 200 }, (_, i) => `host-${i}.${outsideZone} A`);
  const files = {
    'A (in-cluster)': aNames,
    'SRV': srvNames,
    'NXDOMAIN': nxNames,
    'mix 80/10/10': [...aNames.slice(0, 160), ...srvNames.slice(0, 20), ...nxNames.slice(0, 20)],
    'forwarded (cached)': fwdNames,
  };
  for (const [k, v] of Object.entries(files)) fs.writeFileSync(path.join(tmp, `${k.replace(/\W+/g, '_')}.txt`), v.join('\n') + '\n');

  // 2. Knot with the same names.
  let zoneText = `$ORIGIN ${zone}.\n$TTL 30\n@ SOA ns.dns hostmaster 1 7200 1800 86400 30\n@ NS ns.dns\nns.dns A 127.0.0.1\n`;
  for (const s of names.services) zoneText += `${s.name}.default.svc A ${s.ip}\n_http._tcp.${s.name}.default.svc SRV 0 100 80 ${s.name}.default.svc\n`;
  for (const h of names.headless) for (const ip of h.ips) zoneText += `${h.name}.default.svc A ${ip}\n`;
  zoneText += 'default.svc TXT "ns"\n';
  fs.writeFileSync(path.join(tmp, `${zone}.zone`), zoneText);
  let outsideText = `$ORIGIN ${outsideZone}.\n$TTL 300\n@ SOA ns hostmaster 1 7200 1800 86400 30\n@ NS ns\nns A 127.0.0.1\n`;
  for (let i = 0; i < 200; i++) outsideText += `host-${i} A 192.0.2.${(i % 250) + 1}\n`;
  fs.writeFileSync(path.join(tmp, `${outsideZone}.zone`), outsideText);
  fs.writeFileSync(path.join(tmp, 'knot.conf'), `server:
    listen: 127.0.0.1@${knotPort}
    rundir: "${tmp}"
    background-workers: 1
    udp-workers: 1
    tcp-workers: 1
database:
    storage: "${tmp}"
log:
  - target: stderr
    any: error
zone:
  - domain: ${zone}
    file: "${tmp}/${zone}.zone"
    storage: "${tmp}"
  - domain: ${outsideZone}
    file: "${tmp}/${outsideZone}.zone"
    storage: "${tmp}"
`);
  const knot = spawn('taskset', ['-c', serverCore, 'knotd', '-c', path.join(tmp, 'knot.conf')], { stdio: 'inherit' });
  started.push(knot);
  await new Promise((r) => setTimeout(r, 1500));
  if (knot.exitCode !== null) throw new Error(`knotd exited (code ${knot.exitCode}) before the benchmark`);

  // Warm-up (JIT, first computation of every answer, the cache of forwarded names), not reported.
  spawnSync('taskset', ['-c', clientCore, 'dnsperf', '-s', '127.0.0.1', '-p', String(kanzenPort), '-d', path.join(tmp, 'mix_80_10_10.txt'), '-l', '3', '-q', '200']);
  spawnSync('taskset', ['-c', clientCore, 'dnsperf', '-s', '127.0.0.1', '-p', String(kanzenPort), '-d', path.join(tmp, 'forwarded_cached_.txt'), '-l', '2', '-q', '200']);
  const loadBefore = os.loadavg()[0];
  const results = [];
  for (const [k] of Object.entries(files)) {
    const f = path.join(tmp, `${k.replace(/\W+/g, '_')}.txt`);
    results.push({ kind: k, kanzen: await measure(`kanzen ${k}`, kanzen.pid, kanzenPort, f), knot: await measure(`knot   ${k}`, knot.pid, knotPort, f) });
  }
  await stopAll();

  // 3. docs/benchmarks.md, "## DNS" section replaced.
  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  const knotVersion = spawnSync('knotd', ['-V'], { encoding: 'utf8' }).stdout.trim();
  const row = (name, r) => `| ${name} | ${r.qps.toFixed(0)} | ${r.avgMs.toFixed(3)} | ${r.sdMs.toFixed(3)} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${r.lost} | ${r.cpu.toFixed(1)} |`;
  let section = `## DNS\n\n`;
  section += `Measured ${new Date().toISOString().slice(0, 10)} with \`node bench/dns/run.mjs\` on ${cpuModel}, Node ${process.version}, ${knotVersion}.\n`;
  section += `Each server pinned to one core (\`taskset -c ${serverCore}\`), dnsperf on another (\`-q 200\`, ${seconds} s per row), 127.0.0.1 only. `;
  section += `Names: ${names.services.length} ClusterIP Services + ${names.headless.length} headless (3 endpoints each); kanzen runs errors, kubernetes (ttl 30), prometheus, forward (to Knot), cache 30, loadbalance; Knot serves the same names from a zone file, and 200 names of \`example.test\` that kanzen forwards to it (after the warm-up, kanzen answers those from its cache). Average and standard deviation come from that run; dnsperf prints no percentiles, so p50 and p99 come from a second run of ${latencySeconds} s at the same load with \`-v\`, which prints every answer's latency.\n\n`;
  section += `| server / queries | QPS | avg latency (ms) | stddev (ms) | p50 (ms) | p99 (ms) | lost | server CPU (s) |\n|---|---|---|---|---|---|---|---|\n`;
  for (const r of results) section += `${row(`kanzen — ${r.kind}`, r.kanzen)}\n${row(`Knot — ${r.kind}`, r.knot)}\n`;
  const knotCpu = Math.max(...results.map((r) => r.knot.cpu));
  if (knotCpu < 0.8 * seconds) section += `\nKnot used at most ${knotCpu.toFixed(1)} s of CPU in ${seconds} s: its rows are bounded by the single dnsperf client, not by Knot.\n`;
  // Other work on the machine shows as a server CPU column well below the row's seconds.
  section += `\nLoad average (1 min) ${loadBefore.toFixed(2)} before the measured rows and ${os.loadavg()[0].toFixed(2)} after, on ${os.cpus().length} cores; a server that got less than its core shows it in the CPU column.\n`;
  section += `\nFor scale: CoreDNS is reported at ~33.7k QPS on 2 vCPUs for in-cluster names (≈17k per vCPU).\n`;
  const doc = path.join(root, 'docs/benchmarks.md');
  let text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n';
  const re = /## DNS\n[\s\S]*?(?=\n## |$)/;
  text = re.test(text) ? text.replace(re, section.trimEnd() + '\n') : text.trimEnd() + '\n\n' + section;
  fs.writeFileSync(doc, text);
  console.log(`wrote ${doc}`);
}
