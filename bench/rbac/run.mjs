#!/usr/bin/env node
// RBAC cost on the request path: p50/p99 of one GET (a ConfigMap) over HTTPS with keep-alive,
// as the admin (kubeadm's kubernetes-admin, allowed by the kubeadm:cluster-admins
// ClusterRoleBinding) and as a service account bound to view in the namespace (every
// ClusterRoleBinding, then the namespace's RoleBindings, are walked), one at a time and 50 in
// parallel. --compare DIST measures another build first in the same run (e.g. one whose
// authorizer read the policy from the store), then this one:
//
//   npx tsc -p tsconfig.json && node bench/rbac/run.mjs [--requests 2000] [--compare /path/to/other/dist]
//   KANZEN_DIST=/path/to/dist node bench/rbac/run.mjs     # only that build
//
// Fake runtime, no root needed. Network safety: requests only to the cluster's own API on
// 127.0.0.1, --requests of each kind (at most 50 in flight); each cluster is taken down with --purge.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { dist, freePort, opt } from '../lib.mjs';

const requests = Number(opt('requests', 2000));
const name = opt('name', 'rbacbench');
const compare = opt('compare', undefined);
const parallel = 50;
const kubectl = process.env.KANZEN_KUBECTL ?? 'kubectl';

function get(agent, port, token, p) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: p, agent, rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

/** GETs by `clients` concurrent keep-alive clients, `requests` in all; the latencies in ms, sorted. */
async function measure(port, token, p, clients = 1) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: clients });
  const times = [];
  for (let i = 0; i < 100; i++) await get(agent, port, token, p); // warm-up
  let left = requests;
  const client = async () => {
    while (left-- > 0) {
      const t0 = process.hrtime.bigint();
      const code = await get(agent, port, token, p);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (code !== 200) throw new Error(`GET ${p}: ${code}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  agent.destroy();
  return times.sort((a, b) => a - b);
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3);

/** One cluster of the build in distDir: the three measurements, printed under label. */
async function run(distDir, label) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `kanzen-${name}-`));
  const kubeconfig = path.join(home, 'kubeconfig');
  const kanzen = (args) => spawnSync(process.execPath, [path.join(distDir, 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 240_000 });
  const k = (args) => {
    const r = spawnSync(kubectl, [`--kubeconfig=${kubeconfig}`, ...args], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const port = await freePort();
  try {
    const up = kanzen(['up', '--name', name, '--home', home, '--api-port', String(port), '--no-kubeconfig', '--runtime', 'fake']);
    if (up.status !== 0) throw new Error(`kanzen up: ${up.stderr}`);
    k(['create', 'namespace', 'bench']);
    k(['-n', 'bench', 'create', 'serviceaccount', 'reader']);
    k(['-n', 'bench', 'create', 'configmap', 'c', '--from-literal=a=b']);
    // Without RBAC (an older build) there is nothing to bind; the account may read anyway.
    const rbac = spawnSync(kubectl, [`--kubeconfig=${kubeconfig}`, '-n', 'bench', 'create', 'rolebinding', 'reader-view', '--clusterrole=view', '--serviceaccount=bench:reader'], { encoding: 'utf8' }).status === 0;
    const adminToken = /token: (\S+)/.exec(fs.readFileSync(kubeconfig, 'utf8'))[1];
    const saToken = k(['-n', 'bench', 'create', 'token', 'reader']).trim();
    const p = '/api/v1/namespaces/bench/configmaps/c';
    for (const [who, token, clients] of [['admin', adminToken, 1], ['service account (view)', saToken, 1], [`service account, ${parallel} parallel`, saToken, parallel]]) {
      const t = await measure(port, token, p, clients);
      console.log(`${label}${rbac ? '' : ' (no RBAC)'}  ${who.padEnd(30)} GET x${requests}: p50 ${pct(t, 0.5)} ms  p99 ${pct(t, 0.99)} ms`);
    }
  } finally {
    kanzen(['down', '--name', name, '--home', home, '--purge']);
  }
}

/** A build by the folder its dist/ is in. */
const label = (d) => path.basename(path.dirname(path.resolve(d)));
const width = Math.max(label(dist).length, compare ? label(compare).length : 0);
if (compare) await run(path.resolve(compare), label(compare).padEnd(width));
await run(dist, label(dist).padEnd(width));
