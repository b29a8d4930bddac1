#!/usr/bin/env node
// Pods of a real image against the built-in stand-in, in one 1-node netns cluster:
//
//  1. Pod start to Ready with a cached image. The real nginx image (Debian nginx-light,
//     src/testing/debian-nginx-image.ts) is loaded into the cluster's store first (`kanzen
//     image load` of an OCI archive, which also unpacks it), as docker.io/library/nginx:debian;
//     the stand-in is docker.io/library/nginx:1.26-alpine, which the cluster runs as kanzen's
//     built-in nginx (`--images builtin`: stored images from the store, anything else from the
//     catalog, never the network). Both pods alike: one nginx container, imagePullPolicy
//     IfNotPresent, no readiness probe (Ready is then the container's start as the kubelet
//     reports it; a probe would add its period to both), no service-account token, scheduled
//     by the scheduler. Timed from just before the POST to the watch event (one watch over the
//     API's unix socket) whose Ready condition is True. Sequential: each pod deleted (and its
//     DELETED event seen) before the next. The third side is the runtime's own start: `runc run
//     --detach` of the same bundle (the config.json the launcher generated for a real pod, its
//     overlay of the same snapshot mounted beforehand, a network namespace of the bench's own
//     instead of the pod's, its /etc files copied), timed around runc alone. The three sides
//     alternate, their order rotated each round.
//  2. Memory of an idle pod of each, side by side, after --idle seconds: PSS, USS (private
//     pages) and RSS from /proc/<pid>/smaps_rollup, summed over the pod's process trees: every
//     child of the node agent whose tree has a process in the pod's network namespace, with all
//     its descendants. Real image: the wrapper shell, `runc run` (stays the container's parent,
//     as a shim does), nginx's master and workers; stand-in: the unshare wrapper and the
//     built-in nginx (a Node process); both: the keeper of the container's output FIFOs. Not
//     counted: the node agent itself (the kubelet's share of a pod is in its heap). PSS splits
//     shared pages among every process on the machine that maps them (runc's binary among all
//     runc processes, node's among the agents), so it moves with what else runs; USS counts
//     a binary's pages as private while no other process maps them (runc's ~8 MB text when it
//     is the machine's only runc); anonymous memory (heap, stacks) is what each further pod
//     adds whatever else runs. Then a second real pod, and both real pods measured again.
//
//   npx tsc -p tsconfig.json && node bench/image-pods/run.mjs [--pods 10] [--idle 10] [--name ipbench]
//
// As root; installs what is missing with apt-get (runc, skopeo, umoci, mmdebstrap: the
// image is built the first time, from a Debian mirror). Bounded: --pods pods of each kind, each
// waited for at most 60 s, the whole run at most --timeout seconds. Stops what it starts: the
// cluster (kanzen down --purge), the reference containers (runc delete in the bench's own
// runc root) and the bench's network namespace.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist, ensurePackages, freePort, nodeAgentPid, opt } from '../lib.mjs';

const pods = Number(opt('pods', 10));
const idleS = Number(opt('idle', 10));
const name = opt('name', 'ipbench');
const timeoutS = Number(opt('timeout', 900));
const load = (p) => import(pathToFileURL(path.join(dist, p)).href);
const { Transport } = await load('client/transport.js');
const { debianNginxImage } = await load('testing/debian-nginx-image.js');
const { podNetnsName } = await load('node/cluster-network.js');
const { podDirectory } = await load('node/pod-sandbox.js');

if (process.getuid?.() !== 0) {
  console.error('image-pods bench: run as root (netns runtime)');
  process.exit(1);
}
ensurePackages('bench/image-pods', { runc: 'runc', skopeo: 'skopeo', umoci: 'umoci', mmdebstrap: 'mmdebstrap', ip: 'iproute2', unshare: 'util-linux', bash: 'bash' });
const deadline = Date.now() + timeoutS * 1000;
const REAL = 'docker.io/library/nginx:debian';
const BUILTIN = 'docker.io/library/nginx:1.26-alpine';
const home = fs.mkdtempSync(path.join(os.tmpdir(), `kanzen-${name}-`));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-bench-pods-'));
const refNetns = `kzb-${name}-${process.pid}`;
const refRoot = path.join(work, 'runc-state');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

function run(cmd, args, o = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 240_000, ...o });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const kanzen = (args) => run(process.execPath, [path.join(dist, 'cli', 'main.js'), ...args, '--name', name, '--home', home]);

/** One watch over the bench's pods: waiters resolved by name on Ready=True or DELETED. */
function podWatch(api) {
  const waiters = [];
  const handle = api.stream(
    '/api/v1/namespaces/default/pods?watch=true&labelSelector=bench%3Dimage-pods',
    (line) => {
      const ev = JSON.parse(line);
      const t = process.hrtime.bigint();
      for (const w of [...waiters]) {
        if (w.name !== ev.object?.metadata?.name || !w.match(ev)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve({ t, pod: ev.object });
      }
    },
    (err) => {
      for (const w of waiters.splice(0)) w.reject(err ?? new Error('watch ended'));
    },
  );
  const wait = (podName, match) =>
    new Promise((resolve, reject) => {
      const w = { name: podName, match, resolve, reject };
      waiters.push(w);
      setTimeout(() => {
        if (waiters.includes(w)) {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`pod ${podName}: nothing in 60 s`));
        }
      }, 60_000);
    });
  const ready = (ev) => ev.type !== 'DELETED' && ev.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  return {
    ready: (podName) => wait(podName, ready),
    scheduled: (podName) => wait(podName, (ev) => ev.type !== 'DELETED' && !!ev.object.spec?.nodeName),
    deleted: (podName) => wait(podName, (ev) => ev.type === 'DELETED'),
    close: () => handle.close(),
  };
}

function podManifest(podName, image) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, labels: { bench: 'image-pods' } },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 5,
      containers: [{ name: 'web', image, imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80 }] }],
    },
  };
}

async function api(t, method, p, body) {
  const r = await t.request(method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.body}`);
  return JSON.parse(r.body.toString());
}

/**
 * Creates a pod; ms from before the POST to the Ready=True event, and to the event that shows
 * it scheduled (the rest is the node's: sandbox, container start, status written back).
 */
async function startPod(t, watch, podName, image) {
  const ready = watch.ready(podName);
  const scheduled = watch.scheduled(podName);
  const t0 = process.hrtime.bigint();
  await api(t, 'POST', '/api/v1/namespaces/default/pods', podManifest(podName, image));
  const { t: t1, pod } = await ready;
  const { t: ts } = await scheduled;
  const status = pod.status.containerStatuses?.[0];
  if (status?.image !== image && !status?.image?.endsWith(image.replace('docker.io/library/', ''))) throw new Error(`pod ${podName} runs ${status?.image}, not ${image}`);
  return { ms: Number(t1 - t0) / 1e6, scheduledMs: Number(ts - t0) / 1e6, pod };
}

async function deletePod(t, watch, podName) {
  const gone = watch.deleted(podName);
  await api(t, 'DELETE', `/api/v1/namespaces/default/pods/${podName}`);
  await gone;
}

/** The reference bundle, from a running real pod: its spec, lower dirs and /etc files, made standalone. */
function referenceBundle(pod) {
  const dir = path.join(podDirectory(home, pod.metadata.uid), 'containers', 'web');
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const layersDir = path.join(dir, 'layers');
  const lowerDirs = fs.readdirSync(layersDir).sort((a, b) => Number(a) - Number(b)).map((l) => fs.readlinkSync(path.join(layersDir, l)));
  const files = path.join(work, 'ref-files');
  fs.mkdirSync(files, { recursive: true });
  const podDir = podDirectory(home, pod.metadata.uid);
  config.mounts = config.mounts.map((m, i) => {
    if (!m.source?.startsWith(podDir + '/')) return m;
    const copy = path.join(files, `${i}-${path.basename(m.source)}`);
    fs.cpSync(m.source, copy, { recursive: true });
    return { ...m, source: copy };
  });
  config.linux.namespaces = config.linux.namespaces.map((n) => (n.type === 'network' ? { ...n, path: `/run/netns/${refNetns}` } : n));
  return { config, lowerDirs };
}

/** One `runc run --detach` of the reference bundle, timed around runc alone (bash's clock, no fork). */
function referenceStart(ref, i) {
  const dir = path.join(work, `ref-${i}`);
  for (const d of ['rootfs', 'upper', 'work']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const config = { ...ref.config, root: { path: path.join(dir, 'rootfs'), readonly: false }, linux: { ...ref.config.linux, cgroupsPath: `/kz-${name}/benchref${i}/web` } };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const id = `benchref-${i}`;
  const script = [
    'set -e',
    `mount -t overlay overlay -o lowerdir=${ref.lowerDirs.join(':')},upperdir=upper,workdir=work rootfs`,
    't0=$EPOCHREALTIME',
    `runc --root ${refRoot} run --detach --pid-file pid --bundle . ${id} </dev/null >out 2>&1`,
    't1=$EPOCHREALTIME',
    'echo "$t0 $t1"',
  ].join('\n');
  const out = run('unshare', ['--mount', '--propagation', 'slave', '--', 'bash', '-c', script], { cwd: dir });
  const [t0, t1] = out.trim().split(' ').map(Number);
  return { ms: (t1 - t0) * 1000, id };
}

function stopReference(id) {
  spawnSync('runc', ['--root', refRoot, 'delete', '--force', id], { stdio: 'ignore', timeout: 30_000 });
}

function ppids() {
  const m = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      m.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  return m;
}

const readOr = (f, def) => {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return def;
  }
};
const netnsOf = (pid) => {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return '';
  }
};
const kb = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);

/**
 * The pod's processes under the node agent, with their role and PSS, USS (private pages) and
 * RSS in kB: trees of the agent's children with a process in the pod's network namespace.
 */
function podProcesses(agent, pod) {
  const ino = fs.statSync(`/run/netns/${podNetnsName(name, pod.metadata.uid)}`).ino;
  const parents = ppids();
  const children = (p) => [...parents].filter(([, pp]) => pp === p).map(([c]) => c);
  const tree = (p) => [p, ...children(p).flatMap(tree)];
  const out = [];
  for (const top of children(agent)) {
    const procs = tree(top);
    if (!procs.some((p) => netnsOf(p) === `net:[${ino}]`)) continue;
    for (const p of procs) {
      const rollup = readOr(`/proc/${p}/smaps_rollup`, '');
      const argv = readOr(`/proc/${p}/cmdline`, '').split('\0').filter(Boolean);
      const cmd = argv.join(' ').replace(/\s+/g, ' ').slice(0, 60);
      const role = p === top && cmd === 'sleep infinity' ? 'output FIFO keeper' : /^(unshare|nsenter|\/bin\/sh -c set -e)/.test(cmd) ? 'wrapper' : argv[0] === 'runc' ? 'runc run' : 'container';
      out.push({ pid: p, cmd, role, pssKB: kb(rollup, 'Pss'), anonKB: kb(rollup, 'Anonymous'), ussKB: kb(rollup, 'Private_Clean') + kb(rollup, 'Private_Dirty'), rssKB: kb(rollup, 'Rss') });
    }
  }
  return out;
}

let transport;
let watch;
const refs = [];
try {
  const image = debianNginxImage();
  const archive = path.join(work, 'nginx.tar');
  run('skopeo', ['copy', '--quiet', `oci:${image.layout}:${image.tag}`, `oci-archive:${archive}:${REAL}`]);
  const port = await freePort();
  kanzen(['up', '--api-port', String(port), '--no-kubeconfig', '--runtime', 'netns', '--nodes', '1', '--images', 'builtin']);
  const t0 = process.hrtime.bigint();
  console.log(kanzen(['image', 'load', archive]).trim(), `(${(ms(t0) / 1000).toFixed(1)} s)`);
  const agent = nodeAgentPid(home, 1);
  transport = new Transport({ socketPath: path.join(home, 'run', 'apiserver.sock') });
  watch = podWatch(transport);
  run('ip', ['netns', 'add', refNetns]);
  fs.mkdirSync(refRoot, { recursive: true });

  // Warm-up: one of each (page cache, the catalog's seeds, runc's binary), and the reference bundle.
  const warm = await startPod(transport, watch, 'warm-real', REAL);
  const ref = referenceBundle(warm.pod);
  await deletePod(transport, watch, 'warm-real');
  await startPod(transport, watch, 'warm-builtin', BUILTIN);
  await deletePod(transport, watch, 'warm-builtin');
  const w = referenceStart(ref, 'warm');
  refs.push(w.id);
  stopReference(w.id);

  const times = { real: [], builtin: [], runc: [] };
  const toScheduled = { real: [], builtin: [] };
  const load0 = os.loadavg();
  const sides = {
    real: async (i) => {
      const r = await startPod(transport, watch, `real-${i}`, REAL);
      times.real.push(r.ms);
      toScheduled.real.push(r.scheduledMs);
      await deletePod(transport, watch, `real-${i}`);
    },
    builtin: async (i) => {
      const r = await startPod(transport, watch, `builtin-${i}`, BUILTIN);
      times.builtin.push(r.ms);
      toScheduled.builtin.push(r.scheduledMs);
      await deletePod(transport, watch, `builtin-${i}`);
    },
    runc: async (i) => {
      const r = referenceStart(ref, i);
      refs.push(r.id);
      times.runc.push(r.ms);
      stopReference(r.id);
    },
  };
  const order = ['real', 'builtin', 'runc'];
  for (let i = 0; i < pods; i++) {
    if (Date.now() > deadline) throw new Error('out of time');
    for (let k = 0; k < order.length; k++) {
      await sides[order[(i + k) % order.length]](i);
      await sleep(300);
    }
  }
  const load1 = os.loadavg();
  const stats = (xs) => ({ median: pct(xs, 50), p90: pct(xs, 90), all: xs.map((x) => Math.round(x)) });
  const start = { real: stats(times.real), builtin: stats(times.builtin), runc: stats(times.runc) };
  console.log(`pod start → Ready, ${pods} each (ms):`);
  for (const [k, s] of Object.entries(start)) console.log(`  ${k.padEnd(8)} median ${s.median.toFixed(0)}  p90 ${s.p90.toFixed(0)}  (${s.all.join(' ')})`);
  for (const k of ['real', 'builtin']) console.log(`  ${k}: to scheduled median ${pct(toScheduled[k], 50).toFixed(0)} ms, scheduled → Ready median ${pct(times[k].map((x, i) => x - toScheduled[k][i]), 50).toFixed(0)} ms`);
  console.log(`  real / built-in: median ${(start.real.median / start.builtin.median).toFixed(2)}×, p90 ${(start.real.p90 / start.builtin.p90).toFixed(2)}× (goal ≤ 1.2)`);
  console.log(`  real pod / runc run: median ${(start.real.median / start.runc.median).toFixed(2)}×`);
  console.log(`  load average before ${load0.map((x) => x.toFixed(2)).join(' ')}, after ${load1.map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);

  // Memory: one idle pod of each, side by side.
  const memReal = await startPod(transport, watch, 'mem-real', REAL);
  const memBuiltin = await startPod(transport, watch, 'mem-builtin', BUILTIN);
  await sleep(idleS * 1000);
  const memory = {};
  const sum = (xs, f) => xs.reduce((acc, x) => acc + x[f], 0);
  const mib = (x) => (x / 1024).toFixed(1);
  const measure = (k, pod) => {
    const procs = podProcesses(agent, pod);
    const container = procs.filter((x) => x.role === 'container');
    memory[k] = { pssKB: sum(procs, 'pssKB'), anonKB: sum(procs, 'anonKB'), ussKB: sum(procs, 'ussKB'), rssKB: sum(procs, 'rssKB'), containerPssKB: sum(container, 'pssKB'), containerUssKB: sum(container, 'ussKB'), procs };
    console.log(`idle pod memory, ${k}: PSS ${mib(memory[k].pssKB)} MiB, USS ${mib(memory[k].ussKB)} MiB, anonymous ${mib(memory[k].anonKB)} MiB, RSS ${mib(memory[k].rssKB)} MiB; the container's processes alone PSS ${mib(memory[k].containerPssKB)} MiB, USS ${mib(memory[k].containerUssKB)} MiB`);
    for (const x of procs) console.log(`    ${String(x.pid).padStart(7)} PSS ${mib(x.pssKB).padStart(5)} USS ${mib(x.ussKB).padStart(5)} anon ${mib(x.anonKB).padStart(5)} RSS ${mib(x.rssKB).padStart(5)} MiB  ${x.role.padEnd(18)} ${x.cmd}`);
  };
  measure('real', memReal.pod);
  measure('builtin', memBuiltin.pod);
  console.log(`  real / built-in: PSS ${(memory.real.pssKB / memory.builtin.pssKB).toFixed(2)}×, USS ${(memory.real.ussKB / memory.builtin.ussKB).toFixed(2)}×, anonymous ${(memory.real.anonKB / memory.builtin.anonKB).toFixed(2)}×; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  // A second real pod: what one more costs once runc's and nginx's binaries are shared.
  const memReal2 = await startPod(transport, watch, 'mem-real-2', REAL);
  await sleep(idleS * 1000);
  measure('real, first of two', memReal.pod);
  measure('real, second of two', memReal2.pod);
  console.log(JSON.stringify({ start, toScheduled, memory: Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, { ...v, procs: v.procs.map(({ role, cmd, pssKB, ussKB, anonKB }) => ({ role, cmd, pssKB, ussKB, anonKB })) }])), load: { before: load0, after: load1 } }));
} finally {
  watch?.close();
  transport?.close();
  for (const id of refs) stopReference(id);
  spawnSync('ip', ['netns', 'del', refNetns], { stdio: 'ignore' });
  spawnSync(process.execPath, [path.join(dist, 'cli', 'main.js'), 'down', '--name', name, '--home', home, '--purge'], { stdio: 'inherit', timeout: 240_000 });
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
}
