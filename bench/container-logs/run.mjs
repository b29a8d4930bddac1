#!/usr/bin/env node
// Container log load: a pod writes 200 MiB to stdout as fast as it can while ClusterIP
// requests go through the same node. Reports the disk its logs take (rotation:
// containerLogMaxSize 10Mi × containerLogMaxFiles 5), the node agent's peak RSS, and the
// latency of the ClusterIP requests meanwhile (the agent runs the Service proxy too).
//
//   npx tsc -p tsconfig.json && node bench/container-logs/run.mjs [--mib 200] [--name lbench]
//
// Needs root (network namespaces) and kubectl. Network safety: requests only go to the
// cluster's own ClusterIP from inside node-1's namespace, one at a time every 20 ms, bounded
// by the run (at most --timeout seconds); the cluster is always taken down with --purge.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, freePort, nodeAgentPid, opt } from '../lib.mjs';
const mib = Number(opt('mib', 200));
const name = opt('name', 'lbench');
const timeoutS = Number(opt('timeout', 300));
const kubectl = process.env.KANZEN_KUBECTL ?? 'kubectl';
const home = fs.mkdtempSync(path.join(os.tmpdir(), `kanzen-${name}-`));
const kubeconfig = path.join(home, 'kubeconfig');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const kanzen = (args) => spawnSync(process.execPath, [path.join(dist, 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 240_000 });
const k = (args, input) => {
  const r = spawnSync(kubectl, [`--kubeconfig=${kubeconfig}`, ...args], { encoding: 'utf8', input, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const statusKb = (pid, field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

function du(dir) {
  const r = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]) || 0;
}

/** One GET after another (every 20 ms) to url from inside ns; prints each latency in ms. */
const probeScript = `
const http = require('node:http');
const url = process.argv[1];
const end = Date.now() + Number(process.argv[2]) * 1000;
function one() {
  if (Date.now() > end) return;
  const t = process.hrtime.bigint();
  const req = http.get(url, { agent: false, timeout: 20000 }, (res) => {
    res.resume();
    res.on('end', () => { console.log(Number(process.hrtime.bigint() - t) / 1e6); setTimeout(one, 20); });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => { console.log('error'); setTimeout(one, 20); });
}
one();
`;

let probe;
try {
  const port = await freePort();
  const up = kanzen(['up', '--name', name, '--home', home, '--api-port', String(port), '--no-kubeconfig', '--runtime', 'netns']);
  if (up.status !== 0) throw new Error(`up failed: ${up.stderr}${up.stdout}`);
  const agent = nodeAgentPid(home, 1);
  k(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } }, spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx' }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    ],
  }));
  k(['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s']);
  const clusterIP = k(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
  const ns = `kz-${name}-node-1`;
  probe = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', probeScript, `http://${clusterIP}/`, String(timeoutS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const latencies = [];
  let errors = 0;
  let buf = '';
  probe.stdout.on('data', (d) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop();
    for (const l of lines) l === 'error' ? errors++ : latencies.push(Number(l));
  });
  await sleep(3000);
  const idle = latencies.splice(0);
  const rssBefore = statusKb(agent, 'VmRSS');
  // 100-byte lines (99 x's and a newline; whole lines, so DONE is a line of its own), then DONE, then it stays running.
  const line = 'x'.repeat(99);
  k(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'spew' },
    spec: { nodeName: 'node-1', containers: [{ name: 'spew', image: 'busybox', command: ['sh', '-c', `yes ${line} | head -c ${Math.floor((mib * 1024 * 1024) / 100) * 100}; echo DONE; sleep 3600`] }] },
  }));
  const t0 = Date.now();
  let peakRss = rssBefore;
  const podLogs = () => path.join(home, 'nodes', 'node-1', 'pod-logs');
  const spewUID = k(['get', 'pod', 'spew', '-o', 'jsonpath={.metadata.uid}']);
  // Everything the pod's output takes: its sandbox directory (older builds kept raw output and logs there) and its log directory.
  const spewDisk = () => du(path.join(home, 'pods', spewUID)) + du(path.join(podLogs(), `default_spew_${spewUID}`));
  let peakDisk = 0;
  for (;;) {
    peakRss = Math.max(peakRss, statusKb(agent, 'VmRSS'));
    peakDisk = Math.max(peakDisk, spewDisk());
    const r = spawnSync(kubectl, [`--kubeconfig=${kubeconfig}`, 'logs', 'spew', '--tail=1'], { encoding: 'utf8', timeout: 30_000 });
    if (r.stdout.trim() === 'DONE') break;
    if (Date.now() - t0 > timeoutS * 1000) throw new Error('the pod did not finish writing in time');
    await sleep(250);
  }
  const took = (Date.now() - t0) / 1000;
  await sleep(1000);
  probe.kill('SIGKILL');
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const logDir = path.join(podLogs(), `default_spew_${spewUID}`, 'spew');
  const files = fs.existsSync(logDir) ? fs.readdirSync(logDir) : fs.readdirSync(path.join(home, 'pods', spewUID, 'logs', 'spew'));
  const result = {
    writtenMiB: mib,
    secondsToWrite: took,
    logFiles: files.length,
    logFileNames: files,
    diskBytesNow: spewDisk(),
    diskPeakBytes: peakDisk,
    agentRssBeforeMB: rssBefore / 1024,
    agentPeakRssMB: peakRss / 1024,
    agentVmHWMMB: statusKb(agent, 'VmHWM') / 1024,
    clusterIpRequests: latencies.length,
    clusterIpErrors: errors,
    idleP50ms: idle.sort((a, b) => a - b)[Math.floor(idle.length / 2)],
    p50ms: pct(50),
    p99ms: pct(99),
    maxMs: sorted.at(-1),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  probe?.kill('SIGKILL');
  kanzen(['down', '--name', name, '--home', home, '--purge']);
  fs.rmSync(home, { recursive: true, force: true });
}
