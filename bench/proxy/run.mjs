#!/usr/bin/env node
// Service proxy benchmark: kanzen's two proxy modes (nftables, userspace) side by side with
// HAProxy 2.6 and direct-to-pod, in one run.
//
// It brings up two 2-node netns clusters, one per proxy mode (`kanzen up --proxy-mode`), each
// with 3 nginx pods (the built-in nginx:1.26-alpine) behind one LoadBalancer Service (so it
// has a ClusterIP, a NodePort and a LoadBalancer IP), and starts HAProxy in TCP mode
// (`balance roundrobin`, one thread) inside the userspace cluster's node-1 network namespace,
// bound to node-1's IP, with the same 3 pod IPs as backends.
// wrk then runs against every path, interleaved and repeated (--rounds, default 3) because a
// 2-core machine is noisy:
//
//   direct           node-1 netns → one pod IP (no proxy; the reference)
//   ClusterIP        node-1 netns → ClusterIP:80 (node-1's agent proxies)
//   NodePort (node)  node-1 netns → node IP:nodePort (node-1's agent proxies)
//   NodePort (host)  host → 127.0.0.1:nodePort (a host socket the supervisor made and handed to
//                    the node agents: whichever accepts proxies → pod)
//   LB IP (host)     host → <LoadBalancer IP>:80 (the same, on the LoadBalancer IP)
//   HAProxy          node-1 netns → node IP:<port> (haproxy → pod)
//   nftables …       the same ClusterIP, NodePort and host paths on the nftables cluster (the
//                    kernel forwards in the node namespace; the host paths are still accepted
//                    by the agents, src/proxy/host-path-backend.ts)
//
// Loads: keep-alive (`wrk -c50 -t1 -d5s`), a new connection per request (same, with
// `-H 'Connection: close'`) and light load (`-c1 -t1`), all with `--latency`. For each run
// the proxy's CPU is read from /proc/<pid>/stat (utime+stime) before and after: kanzen's node
// agent of node-1 for the in-node paths, both node agents for the host paths (the agents
// also run the kubelet: their idle cost is measured first and taken off each run, and the
// gross figure is reported beside the net one), HAProxy's own pid for HAProxy. Requests per proxy CPU second ("per proxy core") is the figure compared.
// The kernel's forwarding is charged to no process (softirq time lands on whichever task
// was running), so every run also reads the whole machine's busy time from /proc/stat:
// machine CPU per request (wrk, nginx, the proxy and the kernel together) is what compares
// the nftables mode with direct-to-pod.
// The results, the ratios to HAProxy, machine info and the rerun command replace the
// "## Service proxy" section of docs/benchmarks.md (other sections are kept; the
// "### Endpoint change to routable" subsection written by endpoint-latency.mjs is kept too,
// or refreshed by running that script at the end unless --no-endpoint-latency).
//
//   npx tsc -p tsconfig.json && node bench/proxy/run.mjs
//   node bench/proxy/run.mjs --rounds 3 --duration 5 [--no-endpoint-latency] [--no-write]
//   KANZEN_DIST=/var/tmp/kz/dist node bench/proxy/run.mjs   (a build elsewhere; not under
//   /tmp: pods get a private /tmp, which would hide the built-in images' programs)
//
// Needs root (network namespaces), haproxy and wrk (`apt-get install -y haproxy wrk`, done
// here when they are missing), curl, kubectl. Network safety: wrk and curl talk only to
// 127.0.0.0/8 on the host and to addresses inside this cluster's own namespaces; every wrk run
// is bounded by -d and a kill timeout; the cluster is always taken down with --purge.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist, ensurePackages, flag, freePort, haproxyHeader, has, median, nodeAgentPid, opt, parseWrk, root } from '../lib.mjs';

const { podNetnsName } = await import(pathToFileURL(path.join(dist, 'node/cluster-network.js')).href);

const rounds = Number(opt('rounds', 3));
const duration = Number(opt('duration', 5));
const clusterName = opt('name', 'pbench');
const lbPool = opt('lb-pool', '127.0.158.0/24');
const nftLbPool = opt('nft-lb-pool', '127.0.159.0/24');
const clkTck = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const idleSecondsReport = 5;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- prerequisites
if (process.getuid?.() !== 0) {
  console.error('bench/proxy needs root (network namespaces)');
  process.exit(1);
}
ensurePackages('bench/proxy', { haproxy: 'haproxy', wrk: 'wrk' });
for (const t of ['curl', 'kubectl', 'ip']) {
  if (!has(t)) {
    console.error(`bench/proxy needs ${t}`);
    process.exit(1);
  }
}
if (!fs.existsSync(path.join(dist, 'cli/main.js'))) {
  console.error(`no build at ${dist}: run npx tsc -p tsconfig.json first (or set KANZEN_DIST)`);
  process.exit(1);
}

// ---------------------------------------------------------------- helpers
async function freeNodePort() {
  for (let i = 0; i < 50; i++) {
    const p = 30000 + Math.floor(Math.random() * 2768);
    if (await freePort('127.0.0.1', p)) return p;
  }
  throw new Error('no free NodePort on 127.0.0.1');
}

/** utime+stime of /proc/<pid>[/task/<tid>]/stat, and its nice value. */
function statTicks(file) {
  const f = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return { ticks: Number(f[11]) + Number(f[12]), nice: Number(f[16]) };
}

/**
 * A process's CPU ticks less those of its container-log writer: the node agent's kubelet
 * writes the pods' output (nginx's access log, a line per request) on a worker thread it
 * runs at nice 10 (src/node/kubelet/log-writer-worker.ts). That is the container runtime's
 * work (containerd-shim's, beside a real kube-proxy), and HAProxy's rows do not pay it
 * either, though the same pods log the same lines.
 */
function cpuTicks(pid) {
  let ticks = statTicks(`/proc/${pid}/stat`).ticks;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const t = statTicks(`/proc/${pid}/task/${tid}/stat`);
      if (t.nice >= 10) ticks -= t.ticks;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ticks;
}
const cpuSeconds = (pids) => pids.reduce((n, p) => n + cpuTicks(p), 0) / clkTck;

/** The whole machine's busy CPU seconds so far (/proc/stat: every state but idle and iowait, softirq included). */
function machineBusySeconds() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + steal) / clkTck;
}

// ---------------------------------------------------------------- clusters
const cli = path.join(dist, 'cli/main.js');

/** A cluster of this run: its CLI, kubectl and namespaces (nothing started yet). */
function benchCluster(name, mode, pool) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `kanzen-proxybench-${mode}-`));
  const kubeconfig = path.join(home, 'kubeconfig');
  return {
    name,
    mode,
    lbPool: pool,
    home,
    kanzen: (...a) => spawnSync(process.execPath, [cli, ...a, '--name', name, '--home', home], { encoding: 'utf8' }),
    kubectl: (...a) => {
      const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...a], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`kubectl ${a.join(' ')}: ${r.stderr}`);
      return r.stdout;
    },
    nodeNs: (i) => `kz-${name}-node-${i}`,
  };
}
const userspace = benchCluster(clusterName, 'userspace', lbPool);
const nft = benchCluster(`${clusterName}nft`, 'nftables', nftLbPool);
const clusters = [userspace, nft];
const nodeNs = userspace.nodeNs;
let haproxy;
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (haproxy && haproxy.exitCode === null) haproxy.kill('SIGTERM');
  for (const c of clusters) {
    const r = c.kanzen('down', '--purge');
    if (r.status !== 0) console.error(r.stderr);
    fs.rmSync(c.home, { recursive: true, force: true, maxRetries: 5 });
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

/** Polls `curl` (inside ns, or on the host) until the URL answers 200. */
async function waitHttp(url, ns, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const args = ['-s', '-o', '/dev/null', '-m', '2', '-w', '%{http_code}', url];
    const r = ns ? spawnSync('ip', ['netns', 'exec', ns, 'curl', ...args], { encoding: 'utf8' }) : spawnSync('curl', args, { encoding: 'utf8' });
    if (r.stdout === '200') return;
    if (Date.now() > deadline) throw new Error(`${url} does not answer 200 (${ns ?? 'host'}): ${r.stdout}`);
    await sleep(300);
  }
}

function wrk(target, args, seconds) {
  const cmd = ['wrk', ...args, '-d', `${seconds}s`, '--latency', target.url];
  const r = target.ns
    ? spawnSync('ip', ['netns', 'exec', target.ns, ...cmd], { encoding: 'utf8', timeout: (seconds + 20) * 1000, killSignal: 'SIGKILL' })
    : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: (seconds + 20) * 1000, killSignal: 'SIGKILL' });
  return { ...parseWrk(r.stdout ?? ''), raw: (r.stdout ?? '') + (r.stderr ?? '') };
}

const loads = [
  { key: 'keepalive', title: 'Keep-alive', args: ['-c', '50', '-t', '1'], how: '`wrk -c50 -t1 -d5s --latency`' },
  { key: 'close', title: 'New connection per request', args: ['-c', '50', '-t', '1', '-H', 'Connection: close'], how: "`wrk -c50 -t1 -d5s --latency -H 'Connection: close'`" },
  { key: 'light', title: 'Light load', args: ['-c', '1', '-t', '1'], how: '`wrk -c1 -t1 -d5s --latency`' },
].map((l) => ({ ...l, how: l.how.replace('5s', `${duration}s`) }));

/** Brings a cluster up with 3 nginx pods behind a LoadBalancer Service; returns its addresses and processes. */
async function deployWeb(c, nodePort) {
  const { kubectl, home } = c;
  const apiPort = await freePort();
  console.log(`cluster ${c.name} (${c.mode}) in ${home} (API port ${apiPort}, NodePort ${nodePort})`);
  const up = c.kanzen('up', '--api-port', String(apiPort), '--no-kubeconfig', '--lb-pool', c.lbPool, '--nodes', '2', '--proxy-mode', c.mode);
  if (up.status !== 0) throw new Error(`up failed: ${up.stdout}${up.stderr}`);
  if (!up.stderr.includes(`Proxy mode: ${c.mode}\n`)) throw new Error(`${c.name} does not run the ${c.mode} proxy:\n${up.stderr}`);

  const manifest = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.26-alpine', ports: [{ containerPort: 80 }] }] } },
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80, nodePort }] } },
    ],
  };
  const mf = path.join(home, 'web.json');
  fs.writeFileSync(mf, JSON.stringify(manifest));
  kubectl('apply', '-f', mf);
  kubectl('rollout', 'status', 'deployment/web', '--timeout=120s');
  let pods;
  for (let i = 0; ; i++) {
    pods = JSON.parse(kubectl('get', 'pods', '-l', 'app=web', '-o', 'json')).items.filter((p) => p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (pods.length === 3) break;
    if (i > 100) throw new Error('3 ready pods expected');
    await sleep(300);
  }
  // node-1's pods first: "direct" reaches a pod on the node the clients run on.
  pods.sort((a, b) => Number(b.spec.nodeName === 'node-1') - Number(a.spec.nodeName === 'node-1'));
  let svc;
  for (let i = 0; ; i++) {
    svc = JSON.parse(kubectl('get', 'service', 'web', '-o', 'json'));
    if (svc.status?.loadBalancer?.ingress?.[0]?.ip) break;
    if (i > 100) throw new Error('no LoadBalancer IP');
    await sleep(300);
  }
  const podIPs = pods.map((p) => p.status.podIP);
  const clusterIP = svc.spec.clusterIP;
  const lbIP = svc.status.loadBalancer.ingress[0].ip;
  const nodeIP = JSON.parse(kubectl('get', 'node', 'node-1', '-o', 'json')).status.addresses.find((a) => a.type === 'InternalIP').address;
  const daemonPid = Number(fs.readFileSync(path.join(home, 'daemon.pid'), 'utf8'));
  const extra = c.mode === 'nftables' ? await deployPodClientAndOneEndpoint(c, pods[0]) : {};
  return { ...extra, pods, podIPs, clusterIP, lbIP, nodeIP, nodePort, daemonPid, agent1: nodeAgentPid(home, 1), agent2: nodeAgentPid(home, 2) };
}

/**
 * For the nftables mode's comparison with direct-to-pod: a client pod on node-1 (pod-to-Service
 * traffic is not masqueraded, node-to-Service traffic is, as kube-proxy does) and a Service
 * whose only endpoint is the pod "direct" reaches (no selector, a hand-made EndpointSlice), so
 * the Service's own cost is measured against the very same pod.
 */
async function deployPodClientAndOneEndpoint(c, pod) {
  const { kubectl, home } = c;
  const manifest = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'client' },
        spec: { nodeName: 'node-1', containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '100000'] }] },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'one' }, spec: { ports: [{ port: 80, targetPort: 80 }] } },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'one-1', labels: { 'kubernetes.io/service-name': 'one' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [pod.status.podIP], conditions: { ready: true }, nodeName: pod.spec.nodeName }],
        ports: [{ name: '', port: 80, protocol: 'TCP' }],
      },
    ],
  };
  const mf = path.join(home, 'client.json');
  fs.writeFileSync(mf, JSON.stringify(manifest));
  kubectl('apply', '-f', mf);
  kubectl('wait', '--for=condition=Ready', 'pod/client', '--timeout=120s');
  const client = JSON.parse(kubectl('get', 'pod', 'client', '-o', 'json'));
  const clientNs = podNetnsName(c.name, client.metadata.uid);
  // wrk's namespace is tuned as the node namespaces are (cluster-network.ts): without TIME_WAIT
  // reuse, a client making thousands of connections a second to one address stalls on its own
  // ephemeral port search, whatever the path.
  const tw = spawnSync('ip', ['netns', 'exec', clientNs, 'sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1'], { encoding: 'utf8' });
  if (tw.status !== 0) throw new Error(`tcp_tw_reuse in ${clientNs}: ${tw.stderr}`);
  const oneIP = JSON.parse(kubectl('get', 'service', 'one', '-o', 'json')).spec.clusterIP;
  return { clientNs, clientIP: client.status.podIP, oneIP };
}

const raw = [];
let results;
let info;
try {
  const u = await deployWeb(userspace, await freeNodePort());
  let nftNodePort;
  do nftNodePort = await freeNodePort();
  while (nftNodePort === u.nodePort);
  const n = await deployWeb(nft, nftNodePort);
  const { pods, podIPs, clusterIP, lbIP, nodeIP, nodePort, daemonPid, agent1, agent2 } = u;

  // HAProxy inside node-1, on node-1's IP, the same three pods.
  const hport = 18080;
  const cfg = path.join(userspace.home, 'haproxy.cfg');
  fs.writeFileSync(
    cfg,
    [
      ...haproxyHeader('tcp'),
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend fe',
      `  bind ${nodeIP}:${hport}`,
      '  default_backend pods',
      'backend pods',
      '  balance roundrobin',
      ...podIPs.map((ip, i) => `  server pod${i + 1} ${ip}:80`),
      '',
    ].join('\n'),
  );
  haproxy = spawn('ip', ['netns', 'exec', nodeNs(1), 'haproxy', '-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let haproxyErr = '';
  haproxy.stderr.on('data', (d) => (haproxyErr += d));
  haproxy.on('exit', (code) => {
    if (!cleaned) console.error(`haproxy exited (${code}): ${haproxyErr}`);
  });
  await sleep(500);
  // `ip netns exec` execs haproxy: the child's pid is haproxy's.
  if (!fs.readFileSync(`/proc/${haproxy.pid}/comm`, 'utf8').startsWith('haproxy')) throw new Error('haproxy is not the spawned process');

  const targets = [
    { key: 'direct', label: `direct (pod ${podIPs[0]}, ${pods[0].spec.nodeName})`, ns: nodeNs(1), url: `http://${podIPs[0]}/`, pids: [], proxy: 'none' },
    { key: 'clusterip', label: 'kanzen ClusterIP', ns: nodeNs(1), url: `http://${clusterIP}/`, pids: [agent1], proxy: 'node-1 agent' },
    { key: 'nodeport', label: 'kanzen NodePort (node IP)', ns: nodeNs(1), url: `http://${nodeIP}:${nodePort}/`, pids: [agent1], proxy: 'node-1 agent' },
    { key: 'nodeport-host', label: 'kanzen NodePort (host 127.0.0.1)', ns: undefined, url: `http://127.0.0.1:${nodePort}/`, pids: [agent1, agent2], proxy: 'both agents' },
    { key: 'lb-host', label: `kanzen LB IP (host ${lbIP})`, ns: undefined, url: `http://${lbIP}/`, pids: [agent1, agent2], proxy: 'both agents' },
    { key: 'haproxy', label: 'HAProxy 2.6 (node IP)', ns: nodeNs(1), url: `http://${nodeIP}:${hport}/`, pids: [haproxy.pid], proxy: 'haproxy' },
    // The kernel forwards: no process is the proxy (its agents' CPU is shown; it should be ~0).
    { key: 'nft-direct', label: `direct in the nftables cluster (pod ${n.podIPs[0]}, ${n.pods[0].spec.nodeName})`, ns: nft.nodeNs(1), url: `http://${n.podIPs[0]}/`, pids: [], proxy: 'none' },
    { key: 'nft-clusterip', label: 'kanzen nftables ClusterIP', ns: nft.nodeNs(1), url: `http://${n.clusterIP}/`, pids: [n.agent1], proxy: 'kernel' },
    { key: 'nft-one', label: `kanzen nftables ClusterIP, one endpoint (${n.podIPs[0]})`, ns: nft.nodeNs(1), url: `http://${n.oneIP}/`, pids: [n.agent1], proxy: 'kernel' },
    { key: 'pod-direct', label: `from a pod: direct (${n.podIPs[0]})`, ns: n.clientNs, url: `http://${n.podIPs[0]}/`, pids: [], proxy: 'none' },
    { key: 'pod-nft-clusterip', label: 'from a pod: kanzen nftables ClusterIP', ns: n.clientNs, url: `http://${n.clusterIP}/`, pids: [n.agent1], proxy: 'kernel' },
    { key: 'pod-nft-one', label: `from a pod: kanzen nftables ClusterIP, one endpoint (${n.podIPs[0]})`, ns: n.clientNs, url: `http://${n.oneIP}/`, pids: [n.agent1], proxy: 'kernel' },
    { key: 'nft-nodeport', label: 'kanzen nftables NodePort (node IP)', ns: nft.nodeNs(1), url: `http://${n.nodeIP}:${n.nodePort}/`, pids: [n.agent1], proxy: 'kernel' },
    { key: 'nft-nodeport-host', label: 'kanzen nftables NodePort (host 127.0.0.1)', ns: undefined, url: `http://127.0.0.1:${n.nodePort}/`, pids: [n.agent1, n.agent2], proxy: 'both agents' },
    { key: 'nft-lb-host', label: `kanzen nftables LB IP (host ${n.lbIP})`, ns: undefined, url: `http://${n.lbIP}/`, pids: [n.agent1, n.agent2], proxy: 'both agents' },
  ];
  for (const t of targets) await waitHttp(t.url, t.ns);

  // Idle cost of the processes counted as kanzen's proxy (kubelet, informers, API server).
  const idleSeconds = idleSecondsReport;
  const idlePids = [daemonPid, agent1, agent2, n.daemonPid, n.agent1, n.agent2];
  const idle0 = idlePids.map((p) => cpuTicks(p));
  await sleep(idleSeconds * 1000);
  const idle = Object.fromEntries(idlePids.map((p, i) => [p, (cpuTicks(p) - idle0[i]) / clkTck / idleSeconds]));

  console.log('warm-up …');
  for (const t of targets) wrk(t, ['-c', '50', '-t', '1'], 2);

  results = Object.fromEntries(loads.map((l) => [l.key, Object.fromEntries(targets.map((t) => [t.key, []]))]));
  const loadBefore = os.loadavg()[0];
  for (let round = 0; round < rounds; round++) {
    for (const load of loads) {
      // Rotate the order each round so no path always runs first (or right after another).
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const t of order) {
        const c0 = t.pids.length ? cpuSeconds(t.pids) : 0;
        const m0 = machineBusySeconds();
        const w0 = Date.now();
        const r = wrk(t, load.args, duration);
        const wall = (Date.now() - w0) / 1000;
        const machine = machineBusySeconds() - m0;
        // The agents' own background work (kubelet, informers), measured idle above, is not
        // proxy work: it is taken off, so kanzen's agents and HAProxy compare like for like.
        const background = t.pids.reduce((n, p) => n + (idle[p] ?? 0) * wall, 0);
        const gross = t.pids.length ? cpuSeconds(t.pids) - c0 : NaN;
        const cpu = gross - background;
        if (!Number.isFinite(r.rps)) console.log(r.raw);
        results[load.key][t.key].push({ ...r, cpu, gross, machine });
        console.log(
          `round ${round + 1} ${load.key.padEnd(9)} ${t.label.padEnd(40)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  cpu ${Number.isFinite(cpu) ? cpu.toFixed(2) : '-'} s  machine ${((machine / r.requests) * 1e6).toFixed(1)} µs/req${r.errors ? `  errors ${r.errors}` : ''}`,
        );
        raw.push(`### round ${round + 1} ${load.key} ${t.label}\n${r.raw}`);
      }
    }
  }
  const loadAverage = [loadBefore, os.loadavg()[0]];
  info = { loadAverage, targets, podIPs, pods, clusterIP, lbIP, nodeIP, nodePort, hport, idle, daemonPid, agent1, agent2, nft: n };
} catch (e) {
  console.error(e);
  cleanup();
  process.exit(1);
}
cleanup();

// ---------------------------------------------------------------- report
function summarize(runs) {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const cpu = runs.reduce((n, r) => n + r.cpu, 0);
  const gross = runs.reduce((n, r) => n + r.gross, 0);
  const machine = runs.reduce((n, r) => n + r.machine, 0);
  return {
    machinePerRequest: requests > 0 ? (machine / requests) * 1e6 : NaN,
    grossPerRun: gross / runs.length,
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuPerRun: cpu / runs.length,
    perCore: Number.isFinite(cpu) && cpu > 0 ? requests / cpu : NaN,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    rpsAll: runs.map((r) => r.rps),
  };
}
const S = Object.fromEntries(loads.map((l) => [l.key, Object.fromEntries(info.targets.map((t) => [t.key, summarize(results[l.key][t.key])]))]));
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);

const kanzenPaths = ['clusterip', 'nodeport', 'nodeport-host', 'lb-host'];
const ratioRows = [];
for (const k of kanzenPaths) {
  const ka = S.keepalive[k];
  const cl = S.close[k];
  const li = S.light[k];
  const h = { ka: S.keepalive.haproxy, cl: S.close.haproxy, li: S.light.haproxy };
  const d = S.light.direct;
  ratioRows.push({
    key: k,
    label: info.targets.find((t) => t.key === k).label,
    keepalive: ratio(ka.perCore, h.ka.perCore),
    close: ratio(cl.perCore, h.cl.perCore),
    p50: ratio(li.p50, h.li.p50),
    p99: ratio(li.p99, h.li.p99),
    addedP50: [li.p50 - d.p50, h.li.p50 - d.p50],
    addedP99: [li.p99 - d.p99, h.li.p99 - d.p99],
  });
}

// The nftables mode against direct-to-pod (issue 13's goals): throughput, and the machine's
// CPU per request, since the kernel's forwarding is nobody's process time. Each path is
// compared with direct-to-pod from the same client in the same cluster: a kube-proxy node
// tracks every connection once NAT rules exist, so direct connections from the nftables
// cluster's node pay conntrack too, as they would on any kube-proxy node, while the userspace
// cluster's node namespace has no conntrack at all.
const nftPaths = [
  ['nft-clusterip', 'nft-direct'],
  ['nft-one', 'nft-direct'],
  ['pod-nft-clusterip', 'pod-direct'],
  ['pod-nft-one', 'pod-direct'],
  ['nft-nodeport', 'nft-direct'],
  ['nft-nodeport-host', 'nft-direct'],
  ['nft-lb-host', 'nft-direct'],
  ['clusterip', 'direct'],
  ['haproxy', 'direct'],
];
// The goals are judged where the Service is the only difference: the same pod behind it.
const goalPaths = new Set(['nft-one', 'pod-nft-one']);
const directRows = nftPaths.map(([k, ref]) => ({
  key: k,
  label: info.targets.find((t) => t.key === k).label,
  reference: info.targets.find((t) => t.key === ref).label,
  keepalive: ratio(S.keepalive[k].rps, S.keepalive[ref].rps),
  close: ratio(S.close[k].rps, S.close[ref].rps),
  machine: ratio(S.keepalive[k].machinePerRequest, S.keepalive[ref].machinePerRequest),
  machineClose: ratio(S.close[k].machinePerRequest, S.close[ref].machinePerRequest),
  addedP50: S.light[k].p50 - S.light[ref].p50,
}));

const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
const haproxyVersion = spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0].replace(/ - https.*/, '');
const wrkVersion = (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout || '').split('\n')[0].replace(/ Copyright.*/, '');
const idleOf = (pid) => info.idle[pid] ?? 0;
let section = '## Service proxy\n\n';
section += `Measured ${new Date().toISOString().slice(0, 10)} with \`node bench/proxy/run.mjs\` (rerun: \`npx tsc -p tsconfig.json && node bench/proxy/run.mjs --rounds ${rounds} --duration ${duration}\`) on ${cpuModel} × ${os.cpus().length}, Linux ${os.release()}, Node ${process.version}, ${haproxyVersion}, ${wrkVersion}. `;
section += `The machine is shared and noisy: ${rounds} interleaved rounds of ${duration} s per path and load, order rotated each round; req/s, p50 and p99 are medians over the rounds, "per proxy core" is all requests of all rounds divided by the proxy's CPU seconds (utime+stime from /proc).\n\n`;
section += `Setup: two 2-node netns clusters, one per proxy mode (\`kanzen up --proxy-mode userspace\` and \`nftables\`), run at the same time; in each, 3 built-in nginx:1.26-alpine pods (${info.pods.map((p) => `${p.status.podIP} on ${p.spec.nodeName}`).join(', ')}) behind one LoadBalancer Service (ClusterIP ${info.clusterIP}, NodePort ${info.nodePort}, LB IP ${info.lbIP}; in the nftables cluster ${info.nft.pods.map((p) => `${p.status.podIP} on ${p.spec.nodeName}`).join(', ')}, ClusterIP ${info.nft.clusterIP}, NodePort ${info.nft.nodePort}, LB IP ${info.nft.lbIP}). `;
section += `HAProxy runs in node-1's network namespace (\`mode tcp\`, \`balance roundrobin\`, \`nbthread 1\`, bound to ${info.nodeIP}:${info.hport}) with the same three pods; kanzen's proxy is node-1's node agent (single event loop). wrk runs in node-1's namespace for direct, ClusterIP, NodePort (node IP) and HAProxy, on the host for 127.0.0.1:NodePort and the LB IP, and in the nftables cluster also in a client pod's namespace on node-1 (\`from a pod\` rows). `;
section += `Proxy CPU counted: the node-1 agent for the in-node kanzen paths; both node agents for the host paths (the supervisor creates the host's sockets and hands them to the agents, which accept on them directly: it carries no traffic); haproxy's pid for HAProxy. The agents also run a kubelet and informers: their idle cost, measured for ${idleSecondsReport} s before the runs (node-1 agent ${f3(idleOf(info.agent1))} s/s, node-2 agent ${f3(idleOf(info.agent2))} s/s), is subtracted over each run's wall time; the gross figure is shown beside the net one. Not counted: the agents' container-log writer thread, which writes the pods' output (the nginx pods log a line per request, for HAProxy's requests too) — the container runtime's work, containerd-shim's beside a real kube-proxy. Runs before 2026-12-07 (issue 9) counted that work, which then ran on the agent's main thread. In the nftables rows the kernel forwards: the node-1 agent's CPU is shown for the in-node paths (it only programs rules), both agents' for the host paths, which the agents still accept and splice (\`src/proxy/host-path-backend.ts\`). The 1-minute load average was ${info.loadAverage.map((l) => l.toFixed(1)).join(' at the start, ')} at the end of the runs: machine CPU figures include whatever else ran meanwhile, so they compare well only on a quiet machine. "Machine CPU per request" is the whole machine's busy time during the run (/proc/stat: user, nice, system, irq, softirq, steal) divided by the requests: wrk, nginx, the proxy and the kernel together, plus whatever else ran on the shared machine meanwhile.\n\n`;
for (const l of loads) {
  section += `### ${l.title} (${l.how})\n\n`;
  section += `| path | req/s | p50 (ms) | p99 (ms) | proxy CPU per run, net (gross) (s) | req/s per proxy core | machine CPU per request (µs) | errors | req/s per round |\n|---|---|---|---|---|---|---|---|---|\n`;
  for (const t of info.targets) {
    const s = S[l.key][t.key];
    section += `| ${t.label} | ${f0(s.rps)} | ${f3(s.p50)} | ${f3(s.p99)} | ${t.pids.length ? `${f2(s.cpuPerRun)} (${f2(s.grossPerRun)})` : '–'} | ${t.proxy === 'kernel' ? '– (kernel)' : f0(s.perCore)} | ${f1(s.machinePerRequest)} | ${s.errors} | ${s.rpsAll.map(f0).join(' / ')} |\n`;
  }
  section += '\n';
}
section += `### Ratios to HAProxy (same run)\n\n`;
section += `Targets: keep-alive req/s per proxy core ≥ 0.8×, new connections/s per proxy core ≥ 0.5×, light-load p50 ≤ 1.2× and p99 ≤ 2×. "Added" latency is the path's light-load percentile minus the direct-to-pod one (kanzen / HAProxy). The host paths cross one proxy, like HAProxy, but their clients are on the host.\n\n`;
section += `| kanzen path | keep-alive req/s per core | new conn/s per core | light p50 | light p99 | added p50 (ms) | added p99 (ms) |\n|---|---|---|---|---|---|---|\n`;
const mark = (v, ok) => (Number.isFinite(v) ? `${v.toFixed(2)}× ${ok(v) ? '✓' : '✗'}` : '–');
for (const r of ratioRows) {
  section += `| ${r.label} | ${mark(r.keepalive, (v) => v >= 0.8)} | ${mark(r.close, (v) => v >= 0.5)} | ${mark(r.p50, (v) => v <= 1.2)} | ${mark(r.p99, (v) => v <= 2)} | ${f3(r.addedP50[0])} / ${f3(r.addedP50[1])} | ${f3(r.addedP99[0])} / ${f3(r.addedP99[1])} |\n`;
}
section += `\n### The nftables mode against direct-to-pod (same run)\n\n`;
section += `Targets (issue 13) for the nftables ClusterIP: keep-alive req/s ≥ 0.95× direct, new connections/s ≥ 0.9× direct, machine CPU per request ≤ 1.1× direct, light-load added p50 ≤ 0.01 ms; they are marked on the one-endpoint rows, where the Service is the only difference from the direct path (the three-pod Services are faster than one pod with keep-alive, since three nginx share the load, which says nothing of the proxy). Each path is compared with direct-to-pod from the same client in the same cluster (the reference column): from node-1's namespace (kube-proxy masquerades node-to-Service traffic) and from a pod on node-1 (\`client\`, busybox; pod-to-Service traffic is not masqueraded). "One endpoint" is a Service whose only endpoint is the pod the direct rows reach (no selector, a hand-made EndpointSlice): the Service's own cost, same pod. The other Services spread over three pods, and the one on node-2 costs an extra veth and bridge hop whatever the proxy. A kube-proxy node tracks every connection once NAT rules exist, so in the nftables cluster the direct rows pay conntrack too; the userspace cluster's node namespace has no conntrack, which is why its rows have their own reference. The userspace ClusterIP and HAProxy rows are there for scale.\n\n`;
section += `| path | reference | keep-alive req/s | new conn/s | machine CPU per request, keep-alive | machine CPU per request, new connections | added light-load p50 (ms) |\n|---|---|---|---|---|---|---|\n`;
for (const r of directRows) {
  const goal = goalPaths.has(r.key);
  const m = (v, ok) => (goal ? mark(v, ok) : Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');
  section += `| ${r.label} | ${r.reference} | ${m(r.keepalive, (v) => v >= 0.95)} | ${m(r.close, (v) => v >= 0.9)} | ${m(r.machine, (v) => v <= 1.1)} | ${m(r.machineClose, (v) => v <= 1.1)} | ${f3(r.addedP50)}${goal && Number.isFinite(r.addedP50) ? (r.addedP50 <= 0.01 ? ' ✓' : ' ✗') : ''} |\n`;
}
section += `\nReading the figures: the in-node rows are the like-for-like comparison (one proxy process in node-1 against HAProxy in node-1, same clients, same pods). The host rows count both agents, since either may accept a host connection; an agent on node-2 reaches node-1's pod across the cluster bridge, and the kernel charges that extra veth/bridge traversal to the sending process, which HAProxy in node-1 mostly does not pay. How kanzen gets here: TCP is spliced on Node's libuv handles (\`src/proxy/userspace/libuv-stream.ts\`, \`tcp-proxy-connection.ts\`): no net.Socket, stream state or per-read buffer per connection, one pooled 16 KiB buffer per direction, one read and one write per chunk; node namespaces reuse TIME_WAIT ports (\`net.ipv4.tcp_tw_reuse=1\`), without which new-connection loads stall on port search for HAProxy and kanzen alike.\n`;

const rawPath = path.join(os.tmpdir(), `kanzen-proxybench-${Date.now()}.txt`);
fs.writeFileSync(rawPath, raw.join('\n'));
fs.writeFileSync(rawPath.replace(/\.txt$/, '.json'), JSON.stringify({ summary: S, ratios: ratioRows, direct: directRows, results }, null, 1));
console.log(`\n${section}\nraw wrk output: ${rawPath}`);

if (!flag('no-write')) {
  const doc = path.join(root, 'docs/benchmarks.md');
  let text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n';
  const re = /## Service proxy\n[\s\S]*?(?=\n## |$)/;
  const old = re.exec(text)?.[0] ?? '';
  // Keep the subsections other benchmarks write (endpoint-latency.mjs, bench/nftables/programming.mjs).
  const kept = ['Endpoint change to routable', 'nftables programming time']
    .map((title) => new RegExp(`### ${title}\\n[\\s\\S]*?(?=\\n### |\\n## |$)`).exec(old)?.[0])
    .filter((k) => k !== undefined);
  const full = section.trimEnd() + '\n' + kept.map((k) => '\n' + k.trimEnd() + '\n').join('');
  text = re.test(text) ? text.replace(re, full) : text.trimEnd() + '\n\n' + full;
  fs.writeFileSync(doc, text);
  console.log(`wrote ${doc}`);
  if (!flag('no-endpoint-latency')) {
    const r = spawnSync(process.execPath, [path.join(root, 'bench/proxy/endpoint-latency.mjs')], { stdio: 'inherit', env: process.env });
    if (r.status !== 0) console.error('endpoint-latency.mjs failed');
  }
}
process.exit(0);
