#!/usr/bin/env node
// RBAC cost on the request path: p50/p99 of one GET (a ConfigMap) over HTTPS with keep-alive,
// as the admin (allowed by kubeadm:cluster-admins, the fifth ClusterRoleBinding) and as a
// service account bound to view in the namespace (every ClusterRoleBinding, then the
// namespace's RoleBindings, are walked). Run it against a build without RBAC for the baseline:
//
//   npx tsc -p tsconfig.json && node bench/rbac/run.mjs [--requests 2000]
//   KANZEN_DIST=/path/to/main/dist node bench/rbac/run.mjs     # without RBAC
//
// Fake runtime, no root needed. Network safety: requests only to the cluster's own API on
// 127.0.0.1, one at a time, --requests of each kind; the cluster is taken down with --purge.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { dist, freePort, opt } from '../lib.mjs';

const requests = Number(opt('requests', 2000));
const name = opt('name', 'rbacbench');
const kubectl = process.env.KANZEN_KUBECTL ?? 'kubectl';
const home = fs.mkdtempSync(path.join(os.tmpdir(), `kanzen-${name}-`));
const kubeconfig = path.join(home, 'kubeconfig');

const kanzen = (args) => spawnSync(process.execPath, [path.join(dist, 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 240_000 });
const k = (args) => {
  const r = spawnSync(kubectl, [`--kubeconfig=${kubeconfig}`, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

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

/** Sequential GETs; the latencies in ms, sorted. */
async function measure(port, token, p) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  for (let i = 0; i < 100; i++) await get(agent, port, token, p); // warm-up
  for (let i = 0; i < requests; i++) {
    const t0 = process.hrtime.bigint();
    const code = await get(agent, port, token, p);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (code !== 200) throw new Error(`GET ${p}: ${code}`);
  }
  agent.destroy();
  return times.sort((a, b) => a - b);
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3);

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
  for (const [who, token] of [['admin', adminToken], ['service account (view)', saToken]]) {
    const t = await measure(port, token, p);
    console.log(`${rbac ? 'RBAC' : 'no RBAC'}  ${who.padEnd(24)} GET x${requests}: p50 ${pct(t, 0.5)} ms  p99 ${pct(t, 0.99)} ms`);
  }
} finally {
  kanzen(['down', '--name', name, '--home', home, '--purge']);
}
