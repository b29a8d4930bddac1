#!/usr/bin/env node
// Control-plane scale check (not a test): a fake-runtime cluster converges with many pods
// and Services. Creates D Deployments of R replicas and one Service per Deployment through
// the API, waits until every pod is Running and every Service's EndpointSlices list all its
// pods ready, and reports the time taken, the CPU time the daemon used meanwhile (the figure
// to compare on a busy machine), the number of writes the store took and the daemon's peak
// memory (VmHWM).
//
//   node bench/scale/run.mjs [--deployments 1000] [--replicas 10] [--nodes 50] [--timeout 1800]
//                            [--profile DIR] [--keep]
//
// Convergence is followed by watching pods and EndpointSlices (the moment it happens, not the
// next poll). --profile DIR writes the daemon's CPU profile (and heap profile) into DIR when it
// stops; --keep leaves the cluster home (store, daemon log) in place for inspection.
// Bounded: it gives up after --timeout seconds and always takes the cluster down.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { ApiClient, resourceFor } = await import(path.join(root, 'dist/client/api-client.js'));

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const flag = (name) => process.argv.includes(`--${name}`);
const deployments = Number(arg('deployments', 1000));
const replicas = Number(arg('replicas', 10));
// 50 nodes: each node's /24 holds ~250 pod IPs, enough for 10,000 pods.
const nodes = Number(arg('nodes', 50));
// 200 pods a node is past the kubelet's default 110 (the scheduler's "Too many pods"): the
// nodes are given room for their share plus the add-ons, as a kubelet's --max-pods would.
const maxPods = Math.max(110, Math.ceil((deployments * replicas) / nodes) + 10);
const timeoutS = Number(arg('timeout', 1800));
const profileDir = arg('profile', undefined);

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-scale-'));
const name = 'scale';
const cli = path.join(root, 'dist/cli/main.js');
const env = { ...process.env };
if (profileDir) {
  fs.mkdirSync(profileDir, { recursive: true });
  const dir = path.resolve(profileDir);
  env.KANZEN_DAEMON_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${dir} --heap-prof --heap-prof-dir=${dir}`;
}
const kanzen = (...a) => spawnSync(process.execPath, [cli, ...a, '--name', name, '--home', home], { encoding: 'utf8', env });

const port = await new Promise((resolve) => {
  const srv = net.createServer().listen(0, '127.0.0.1', () => {
    const p = srv.address().port;
    srv.close(() => resolve(p));
  });
});
const up = kanzen('up', '--runtime', 'fake', '--nodes', String(nodes), '--max-pods', String(maxPods), '--api-port', String(port), '--no-kubeconfig', '--store', `sqlite:${path.join(home, 'state.db')}`);
if (up.status !== 0) {
  console.error(up.stderr);
  process.exit(1);
}
const pid = Number(fs.readFileSync(path.join(home, 'daemon.pid'), 'utf8'));
const peakMemoryMiB = () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};
/** CPU seconds (user + system) the daemon has used: comparable across runs on a shared machine, unlike the wall time. */
const cpuSeconds = () => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const client = new ApiClient({ socketPath: path.join(home, 'run', 'apiserver.sock') }, 'scale-bench');
const deploys = resourceFor('deployments', 'apps');
const services = resourceFor('services');
const pods = resourceFor('pods');
const slices = resourceFor('endpointslices', 'discovery.k8s.io');

/**
 * Follows a resource in the default namespace by list + watch, calling onChange with each
 * object's key and latest state (undefined once deleted). Returns a stop function.
 */
async function follow(info, onChange, onGone) {
  const list = await client.list(info, 'default');
  for (const o of list.items) onChange(o.metadata.name, o);
  let stopped = false;
  let handle;
  const watchFrom = (rv) => {
    handle = client.watch(info, 'default', { resourceVersion: rv, allowWatchBookmarks: true }, (ev) => {
      if (ev.type === 'ERROR') return onGone(new Error(`watch ${info.resource}: ${JSON.stringify(ev.object)}`));
      rv = ev.object.metadata.resourceVersion ?? rv;
      if (ev.type === 'BOOKMARK') return;
      onChange(ev.object.metadata.name, ev.type === 'DELETED' ? undefined : ev.object);
    }, (err) => {
      if (stopped) return;
      if (err) onGone(err);
      else watchFrom(rv);
    });
  };
  watchFrom(list.metadata.resourceVersion);
  return () => {
    stopped = true;
    handle?.stop();
  };
}

const stops = [];
try {
  const want = deployments * replicas;
  const running = new Set();
  const readyPerSlice = new Map();
  let readyEndpoints = 0;
  let converged;
  const done = new Promise((resolve, reject) => {
    converged = { resolve, reject };
  });
  const check = () => {
    if (running.size >= want && readyEndpoints >= want) converged.resolve();
  };
  stops.push(await follow(pods, (key, pod) => {
    if (pod?.status?.phase === 'Running') running.add(key);
    else running.delete(key);
    check();
  }, (e) => converged.reject(e)));
  stops.push(await follow(slices, (key, slice) => {
    // Only the bench's Services count (not the `kubernetes` Service's endpoint).
    const ready = slice?.metadata.labels?.['kubernetes.io/service-name']?.startsWith('app-')
      ? (slice.endpoints ?? []).filter((e) => e.conditions?.ready).length
      : 0;
    readyEndpoints += ready - (readyPerSlice.get(key) ?? 0);
    readyPerSlice.set(key, ready);
    check();
  }, (e) => converged.reject(e)));
  const startRevision = Number((await client.list(services, 'default', { limit: 1 })).metadata.resourceVersion);

  const started = Date.now();
  const startCpu = cpuSeconds();
  const pool = async (n, fn, width = 16) => {
    let next = 0;
    await Promise.all(Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }));
  };
  await pool(deployments, async (i) => {
    const app = `app-${i}`;
    await client.create(deploys, 'default', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app },
      spec: { replicas, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'web', image: 'nginx:1.26-alpine', ports: [{ containerPort: 80 }] }] } } },
    });
    await client.create(services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: app }, spec: { selector: { app }, ports: [{ port: 80 }] } });
  });
  const created = Date.now();
  console.log(`created ${deployments} Deployments and Services in ${((created - started) / 1000).toFixed(1)}s`);
  const progress = setInterval(() => {
    process.stdout.write(`\rrunning pods ${running.size}/${want}, ready endpoints ${readyEndpoints}/${want}   `);
  }, 5000);
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('did not converge in time')), Math.max(0, timeoutS * 1000 - (Date.now() - started))).unref());
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearInterval(progress);
  }
  const finished = Date.now();
  const cpu = cpuSeconds() - startCpu;
  const writes = Number((await client.list(services, 'default', { limit: 1 })).metadata.resourceVersion) - startRevision;
  console.log(`\nconverged: ${want} pods, ${deployments} Services on ${nodes} nodes in ${((finished - started) / 1000).toFixed(1)}s; daemon CPU ${cpu.toFixed(1)}s; ${writes} store writes; daemon peak memory ${peakMemoryMiB()} MiB`);
} finally {
  for (const stop of stops) stop();
  client.close();
  if (flag('keep')) console.log(`cluster home kept at ${home} (take it down with: node ${cli} down --purge --name ${name} --home ${home})`);
  else kanzen('down', '--purge');
}
