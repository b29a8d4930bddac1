#!/usr/bin/env node
// Time for a 3-replica StatefulSet with volumes to be Ready, side by side with the same
// three pods as a Deployment (no volumes, no ordering) and the StatefulSet in Parallel mode,
// in one 2-node netns cluster driven by the real kubectl:
//
//   sts-ordered   StatefulSet, OrderedReady (the default): web-1 starts only once web-0 is
//                 Running and Ready; each pod has a claim from volumeClaimTemplates, which the
//                 default class (local-path, WaitForFirstConsumer) provisions once the
//                 scheduler has picked the pod's node.
//   sts-parallel  the same with podManagementPolicy: Parallel.
//   deployment    the reference: a Deployment of the same three pods, no volumes.
//
// Each side is timed from just before `kubectl apply -f` to the end of `kubectl rollout
// status` (what a user waits for), then deleted with its claims (and their volumes' directories)
// before the next. The three sides alternate, their order rotated each round. The pods run
// the built-in nginx stand-in (`--images builtin`: no network), no readiness probe.
//
//   npx tsc -p tsconfig.json && node bench/statefulset/run.mjs [--rounds 5] [--name stsbench]
//
// As root. Bounded: each rollout waits at most 120 s, the whole run at most --timeout seconds.
// Stops what it starts: the cluster (kanzen down --purge) in `finally` and on signals.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, freePort, opt } from '../lib.mjs';

const rounds = Number(opt('rounds', 5));
const name = opt('name', 'stsbench');
const timeoutS = Number(opt('timeout', 900));
const kubectlBin = opt('kubectl', fs.existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.33') ? '/usr/lib/google-cloud-sdk/bin/kubectl.1.33' : 'kubectl');

if (process.getuid?.() !== 0) {
  console.error('statefulset bench: run as root (netns runtime)');
  process.exit(1);
}
const deadline = Date.now() + timeoutS * 1000;
const home = fs.mkdtempSync(path.join(os.tmpdir(), `kanzen-${name}-`));
const kubeconfig = path.join(home, 'kubeconfig');
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor((xs.length - 1) / 2)];

function run(cmd, args, o = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000, ...o });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
const kanzen = (args) => run(process.execPath, [path.join(dist, 'cli', 'main.js'), ...args, '--name', name, '--home', home]);
const kubectl = (args, input) => run(kubectlBin, ['--kubeconfig', kubeconfig, ...args], input ? { input } : {});

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { terminationGracePeriodSeconds: 1, automountServiceAccountToken: false, containers: [{ name: 'nginx', image: 'nginx:1.26-alpine', ports: [{ containerPort: 80 }] }] },
};
const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] } };

function statefulSet(policy) {
  const t = structuredClone(template);
  t.spec.containers[0].volumeMounts = [{ name: 'www', mountPath: '/usr/share/nginx/html' }];
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      serviceName: 'web',
      replicas: 3,
      podManagementPolicy: policy,
      selector: { matchLabels: { app: 'web' } },
      template: t,
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } } }],
    },
  };
}

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template } };

const sides = {
  'sts-ordered': { manifest: statefulSet('OrderedReady'), ref: 'statefulset/web' },
  'sts-parallel': { manifest: statefulSet('Parallel'), ref: 'statefulset/web' },
  deployment: { manifest: deployment, ref: 'deployment/web' },
};

/** Seconds from apply to rollout status done; then the side is deleted with its claims and volumes. */
function once(side) {
  const { manifest, ref } = sides[side];
  const t0 = process.hrtime.bigint();
  kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
  kubectl(['rollout', 'status', ref, '--timeout=120s']);
  const took = ms(t0);
  const pods = JSON.parse(kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items;
  if (pods.length !== 3 || !pods.every((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) throw new Error(`${side}: not 3 Ready pods after rollout status`);
  if (side.startsWith('sts') && !pods.every((p) => p.spec.volumes.some((v) => v.persistentVolumeClaim))) throw new Error(`${side}: pods without their claims`);
  kubectl(['delete', ref, '--wait=true']);
  kubectl(['wait', '--for=delete', 'pods', '-l', 'app=web', '--timeout=120s']);
  if (side.startsWith('sts')) {
    kubectl(['delete', 'pvc', '-l', 'app=web', '--wait=true']);
    // The provisioner removes each volume (reclaim Delete) once its claim is gone.
    const until = Date.now() + 60_000;
    while (JSON.parse(kubectl(['get', 'pv', '-o', 'json'])).items.length > 0) {
      if (Date.now() > until) throw new Error('volumes not reclaimed in 60 s');
      spawnSync('sleep', ['0.2']);
    }
  }
  return took;
}

let up = false;
function down() {
  if (!up) return;
  up = false;
  spawnSync(process.execPath, [path.join(dist, 'cli', 'main.js'), 'down', '--purge', '--name', name, '--home', home], { stdio: 'inherit' });
  fs.rmSync(home, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => (down(), process.exit(130)));

try {
  const port = await freePort();
  up = true;
  kanzen(['up', '--runtime', 'netns', '--nodes', '2', '--images', 'builtin', '--api-port', String(port), '--no-kubeconfig']);
  kubectl(['apply', '-f', '-'], JSON.stringify(service));
  const times = Object.fromEntries(Object.keys(sides).map((s) => [s, []]));
  // A warm-up of each side (first pulls, first volume directories), not counted.
  for (const side of Object.keys(sides)) once(side);
  const order = Object.keys(sides);
  for (let r = 0; r < rounds && Date.now() < deadline; r++) {
    for (let i = 0; i < order.length; i++) {
      const side = order[(i + r) % order.length];
      times[side].push(once(side));
    }
  }
  const ref = median(times.deployment);
  console.log(`\n${rounds} rounds, 2-node netns cluster, kubectl ${kubectl(['version', '--client', '-o', 'json']).match(/"gitVersion": "([^"]+)"/)?.[1]}`);
  console.log('| side | median (s) | min (s) | max (s) | × Deployment |');
  console.log('|---|---|---|---|---|');
  for (const [side, xs] of Object.entries(times)) {
    const s = sorted(xs);
    console.log(`| ${side} | ${(median(xs) / 1000).toFixed(2)} | ${(s[0] / 1000).toFixed(2)} | ${(s[s.length - 1] / 1000).toFixed(2)} | ${(median(xs) / ref).toFixed(2)} |`);
  }
} finally {
  down();
}
