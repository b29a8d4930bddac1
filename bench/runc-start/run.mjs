#!/usr/bin/env node
// Container start through the RuncLauncher against the runtime's own start: `runc run` of
// the same bundle (the spec the launcher generated, the image's root as a plain read-only
// directory, no overlay, no wrapper), each time a container that runs /bin/true to its end,
// in a real pod sandbox. As root: node bench/runc-start/run.mjs [--runs 20]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, ensurePackages, opt } from '../lib.mjs';

ensurePackages('bench/runc-start', { runc: 'runc', ip: 'iproute2', unshare: 'util-linux' });

const { setupClusterNetwork, teardownClusterNetwork } = await import(path.join(dist, 'node/cluster-network.js'));
const { createPodSandbox, removePodSandbox } = await import(path.join(dist, 'node/pod-sandbox.js'));
const { ensureShellRootfs } = await import(path.join(dist, 'images/shell-rootfs.js'));
const { SandboxLauncher } = await import(path.join(dist, 'node/kubelet/sandbox-launcher.js'));
const { removeClusterRuncContainers } = await import(path.join(dist, 'node/kubelet/runc-launcher.js'));
const { removeClusterCgroups } = await import(path.join(dist, 'node/container-cgroup.js'));
const { silentLogger } = await import(path.join(dist, 'util/logger.js'));

const runs = Number(opt('runs', '20'));
const cluster = `kzb${process.pid.toString(36)}`;
const podUID = 'bbbbbbbb-3333-4000-8000-000000000001';
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-runc-bench-'));
const root = ensureShellRootfs(path.join(home, 'images', 'rootfs'), { name: 'busybox', applets: 'bin' });
const containers = [{ name: 'c', command: ['/bin/true'] }];
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench', namespace: 'default', uid: podUID }, spec: { containers } };
const net = await setupClusterNetwork({ cluster, nodes: 1 });
const sandbox = await createPodSandbox({ cluster, home, pod, node: net.nodes[0], podIP: '10.244.1.40', clusterDNS: ['10.96.0.10'], hostResolvConf: '' });
const launcher = new SandboxLauncher({ sandbox: () => sandbox, pod: () => pod, logger: silentLogger });
const launch = { kind: 'oci', image: 'bench/busybox', lowerDirs: [root], config: { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] } } };
const out = path.join(home, 'out');
const spec = { podUID, podName: 'bench', namespace: 'default', container: 'c', argv: ['/bin/true'], env: {}, stdoutPath: out, stderrPath: out, image: launch };

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  // Warm-up (page cache, runc binary) and the bundle the plain runs use.
  await (await launcher.start(spec)).exited;
  const bundle = path.join(home, 'bundle');
  fs.mkdirSync(bundle);
  const config = JSON.parse(fs.readFileSync(path.join(sandbox.podDir, 'containers', 'c', 'config.json'), 'utf8'));
  config.root = { path: root, readonly: true };
  config.linux.cgroupsPath = `/kz-${cluster}/plain`;
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config));
  const state = path.join(home, 'runc-state');
  const viaLauncher = [];
  const plain = [];
  for (let i = 0; i < runs; i++) {
    let t0 = process.hrtime.bigint();
    await (await launcher.start(spec)).exited;
    viaLauncher.push(ms(t0));
    t0 = process.hrtime.bigint();
    const r = spawnSync('runc', ['--root', state, 'run', '--bundle', bundle, `plain-${i}`], { stdio: 'ignore' });
    plain.push(ms(t0));
    if (r.status !== 0) throw new Error(`runc run exited ${r.status}`);
  }
  const a = median(viaLauncher);
  const b = median(plain);
  console.log(`container start to exit of /bin/true, median of ${runs}: RuncLauncher ${a.toFixed(1)} ms, runc run ${b.toFixed(1)} ms, ratio ${(a / b).toFixed(2)}×`);
} finally {
  await removeClusterRuncContainers(cluster).catch(() => undefined);
  await removePodSandbox(sandbox);
  await teardownClusterNetwork(cluster);
  removeClusterCgroups(cluster);
  fs.rmSync(home, { recursive: true, force: true });
}
