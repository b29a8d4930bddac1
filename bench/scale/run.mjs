#!/usr/bin/env node
// Control-plane scale check (not a test): a fake-runtime cluster converges with many pods
// and Services. Creates D Deployments of R replicas and one Service per Deployment through
// the API, waits until every pod is Running and every Service's EndpointSlices list all its
// pods, and reports the time taken and the daemon's peak memory (VmHWM).
//
//   node bench/scale/run.mjs [--deployments 1000] [--replicas 10] [--nodes 50]
//
// Bounded: it gives up after --timeout seconds (default 1800) and always takes the cluster down.
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
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const deployments = arg('deployments', 1000);
const replicas = arg('replicas', 10);
// 50 nodes: each node's /24 holds ~250 pod IPs, enough for 10,000 pods.
const nodes = arg('nodes', 50);
const timeoutS = arg('timeout', 1800);

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-scale-'));
const name = 'scale';
const cli = path.join(root, 'dist/cli/main.js');
const kanzen = (...a) => spawnSync(process.execPath, [cli, ...a, '--name', name, '--home', home], { encoding: 'utf8' });

const port = await new Promise((resolve) => {
  const srv = net.createServer().listen(0, '127.0.0.1', () => {
    const p = srv.address().port;
    srv.close(() => resolve(p));
  });
});
const up = kanzen('up', '--runtime', 'fake', '--nodes', String(nodes), '--api-port', String(port), '--no-kubeconfig', '--store', `sqlite:${path.join(home, 'state.db')}`);
if (up.status !== 0) {
  console.error(up.stderr);
  process.exit(1);
}
const pid = Number(fs.readFileSync(path.join(home, 'daemon.pid'), 'utf8'));
const peakMemoryMiB = () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};
const client = new ApiClient({ socketPath: path.join(home, 'run', 'apiserver.sock') }, 'scale-bench');
const deploys = resourceFor('deployments', 'apps');
const services = resourceFor('services');
const pods = resourceFor('pods');
const slices = resourceFor('endpointslices', 'discovery.k8s.io');

try {
  const started = Date.now();
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
  const want = deployments * replicas;
  for (;;) {
    if (Date.now() - started > timeoutS * 1000) throw new Error('did not converge in time');
    const running = (await client.list(pods, 'default', { fieldSelector: 'status.phase=Running' })).items.length;
    const eps = (await client.list(slices, 'default')).items.reduce((n, s) => n + (s.endpoints ?? []).filter((e) => e.conditions?.ready).length, 0);
    process.stdout.write(`\rrunning pods ${running}/${want}, ready endpoints ${eps}/${want}   `);
    if (running >= want && eps >= want) break;
    await new Promise((r) => setTimeout(r, 15_000));
  }
  const done = Date.now();
  console.log(`\nconverged: ${want} pods, ${deployments} Services on ${nodes} nodes in ${((done - started) / 1000).toFixed(1)}s; daemon peak memory ${peakMemoryMiB()} MiB`);
} finally {
  client.close();
  kanzen('down', '--purge');
}
