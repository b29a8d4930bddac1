// `kanzen up`: start a cluster's supervisor (which runs the daemon and the node agents,
// supervisor.ts) in the background and return once the cluster is ready.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Transport } from '../client/transport.js';
import type { EndpointSlice, Node } from '../api/types.js';
import { defaultConfig, readConfig, resolveHome, runningPid, validateClusterName, writeConfig, type ClusterConfig, type ClusterHome } from './cluster-home.js';
import { mergeIntoUserKubeconfig, writeKubeconfig, userKubeconfigPath } from './kubeconfig.js';
import { ensurePki, ensureToken } from './pki.js';
import { apiServerSANs } from './cluster-network.js';
import { CliError, progress } from './output.js';
import { claimant, claimFreePool, claimPool, defaultClaimsDir, defaultPools } from './lb-pool-claims.js';
import { isRoot } from './netns-runtime.js';
import type { ImageSources } from '../node/images/image-sources.js';
import { describeProxyMode, isProxyMode, proxyModes } from '../proxy/proxy-mode.js';
import { readSupervisorState } from './supervisor.js';

export interface UpOptions {
  name: string;
  home?: string;
  nodes?: number;
  apiPort?: number;
  kubeconfig: boolean;
  runtime?: 'fake' | 'netns';
  images?: ImageSources;
  store?: string;
  lbPool?: string;
  maxPods?: number;
  controllers?: string;
  proxyMode?: string;
  waitSeconds?: number;
}

/**
 * Takes the LoadBalancer pool for this cluster and writes its config: the one asked for (or
 * stored) if no other cluster on the machine holds it, else the first free default range
 * (lb-pool-claims.ts), so clusters side by side never hand out the same loopback address.
 */
function claimLoadBalancerPool(home: ClusterHome, cfg: ClusterConfig, wanted: string | undefined): void {
  const dir = defaultClaimsDir();
  const write = (pool: string) => {
    cfg.lbPool = pool;
    writeConfig(home, cfg);
  };
  try {
    if (wanted) {
      if (!claimPool(dir, wanted, home.config, write)) {
        const other = path.dirname(claimant(dir, wanted) ?? '');
        throw new CliError(`the LoadBalancer pool ${wanted} is used by the cluster at ${other}: choose another with --lb-pool`);
      }
    } else if (!claimFreePool(dir, defaultPools, home.config, write)) {
      throw new CliError(`every LoadBalancer pool from ${defaultPools[0]} to ${defaultPools[defaultPools.length - 1]} is used by another cluster (see ${dir}): choose one with --lb-pool`);
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot write the cluster home ${home.dir} or claim its LoadBalancer pool in ${dir}: ${(e as Error).message}`);
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function mainScript(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.js');
}

/** The daemon's start failure, which it writes before it exits (a failing controller manager comes after the API is ready). */
function throwStartError(home: ClusterHome): void {
  if (fs.existsSync(home.errorFile)) throw new CliError(fs.readFileSync(home.errorFile, 'utf8').trim());
}

async function waitReady(home: ClusterHome, pid: number, timeoutMs: number): Promise<void> {
  const t = new Transport({ socketPath: home.socket, timeoutMs: 2000 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      throwStartError(home);
      try {
        process.kill(pid, 0);
      } catch {
        const why = fs.existsSync(home.errorFile) ? fs.readFileSync(home.errorFile, 'utf8').trim() : `the cluster supervisor exited; see ${path.join(home.logsDir, 'supervisor.log')} and daemon.log`;
        throw new CliError(why);
      }
      if (fs.existsSync(home.socket)) {
        try {
          const r = await t.request('GET', '/readyz');
          if (r.status === 200) {
            // Ready means the built-in objects exist too.
            const ns = await t.request('GET', '/api/v1/namespaces/default/services/kubernetes');
            if (ns.status === 200) return;
          }
        } catch {
          // not listening yet
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new CliError(`the API server did not become ready within ${Math.round(timeoutMs / 1000)}s; see ${path.join(home.logsDir, 'daemon.log')}`);
  } finally {
    t.close();
  }
}

async function waitNodesReady(home: ClusterHome, count: number, timeoutMs: number): Promise<void> {
  const t = new Transport({ socketPath: home.socket, timeoutMs: 2000 });
  const deadline = Date.now() + timeoutMs;
  let ready = 0;
  try {
    while (Date.now() < deadline) {
      throwStartError(home);
      try {
        const r = await t.request('GET', '/api/v1/nodes');
        if (r.status === 200) {
          const list = JSON.parse(r.body.toString()) as { items: Node[] };
          ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
          if (ready >= count) return;
        }
      } catch {
        // retry
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new CliError(`only ${ready} of ${count} node(s) became Ready within ${Math.round(timeoutMs / 1000)}s; see ${path.join(home.logsDir, 'daemon.log')}`);
  } finally {
    t.close();
  }
}

/** DNS answers once kube-dns has a ready endpoint: the coredns pods passed their readiness probe. */
async function waitDNSReady(home: ClusterHome, timeoutMs: number): Promise<void> {
  const t = new Transport({ socketPath: home.socket, timeoutMs: 2000 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      throwStartError(home);
      try {
        const r = await t.request('GET', '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns');
        if (r.status === 200) {
          const list = JSON.parse(r.body.toString()) as { items: EndpointSlice[] };
          if (list.items.some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready))) return;
        }
      } catch {
        // retry
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new CliError(`cluster DNS did not become ready within ${Math.round(timeoutMs / 1000)}s; see kubectl -n kube-system describe pods -l k8s-app=kube-dns`);
  } finally {
    t.close();
  }
}

export async function up(opts: UpOptions): Promise<void> {
  const bad = validateClusterName(opts.name);
  if (bad) throw new CliError(bad);
  const home = resolveHome(opts.name, opts.home);
  const running = runningPid(home);
  if (running) {
    // The daemon may be between restarts: answer once the API does.
    await waitReady(home, running, (opts.waitSeconds ?? 60) * 1000);
    console.log(`Cluster "${opts.name}" is already running (pid ${running}, home ${home.dir}).`);
    return;
  }
  const stored = readConfig(home);
  const cfg: ClusterConfig = { ...defaultConfig(opts.name, home.dir), ...(stored ?? {}) };
  cfg.name = opts.name;
  if (opts.nodes !== undefined) cfg.nodes = opts.nodes;
  if (opts.apiPort !== undefined) cfg.apiPort = opts.apiPort;
  if (opts.runtime) cfg.runtime = opts.runtime;
  if (opts.images) cfg.images = opts.images;
  if (opts.store) cfg.store = opts.store;
  if (opts.maxPods !== undefined) {
    if (!(opts.maxPods >= 1)) throw new CliError(`--max-pods must be at least 1, got ${opts.maxPods}`);
    cfg.maxPods = opts.maxPods;
  }
  if (opts.controllers !== undefined) {
    const items = opts.controllers.split(',').map((c) => c.trim());
    if (items.some((c) => !c)) throw new CliError(`--controllers takes a comma-separated list of controller names, '*' or '-name', got "${opts.controllers}"`);
    cfg.controllers = items;
  }
  if (opts.proxyMode !== undefined) {
    if (!isProxyMode(opts.proxyMode)) throw new CliError(`unknown proxy mode "${opts.proxyMode}": use ${proxyModes.join(' or ')}`);
    cfg.proxyMode = opts.proxyMode;
  }
  if (opts.lbPool && !/^127\.\d+\.\d+\.\d+\/(2[4-9]|3[0-2])$/.test(opts.lbPool)) {
    throw new CliError(`--lb-pool must be a loopback range (127.x.y.z/24 to /32), got "${opts.lbPool}"`);
  }
  const step = progress(`Starting cluster "${cfg.name}" (home ${home.dir})`);

  if (!(await portFree(cfg.apiPort))) throw new CliError(`port ${cfg.apiPort} on 127.0.0.1 is already in use: choose another with --api-port`);
  try {
    fs.mkdirSync(home.logsDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(home.stateDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CliError(`cannot write the cluster home ${home.dir}: ${(e as Error).message}`);
  }
  claimLoadBalancerPool(home, cfg, opts.lbPool ?? stored?.lbPool);
  if (cfg.runtime === 'netns' && !isRoot()) {
    throw new CliError('the netns runtime runs pods in network namespaces and needs root: run kanzen up as root, or use --runtime fake (pods without processes)');
  }
  step('Preparing certificates');
  const sans = apiServerSANs(cfg);
  const pki = ensurePki(home.pkiDir, cfg.name, sans.ips, sans.dnsNames);
  const token = ensureToken(home.tokenFile);

  step('Starting the control plane');
  fs.rmSync(home.errorFile, { force: true });
  const supervisorLog = path.join(home.logsDir, 'supervisor.log');
  const logFd = fs.openSync(supervisorLog, 'a', 0o600);
  const child = spawn(process.execPath, [mainScript(), 'supervise', '--name', cfg.name, '--home', home.dir], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, KANZEN_LOG_FILE: supervisorLog },
  });
  fs.closeSync(logFd);
  child.unref();
  step('Waiting for the API server to be ready');
  await waitReady(home, child.pid!, (opts.waitSeconds ?? 60) * 1000);

  // The supervisor checked the kernel before it started the node agents (nftables-support.ts).
  const proxy = readSupervisorState(home)?.proxy;
  if (proxy) process.stderr.write(` • ${describeProxyMode(proxy)}\n`);
  if (cfg.lbPool !== defaultPools[0]) process.stderr.write(` • LoadBalancer IPs from ${cfg.lbPool}\n`);
  step(`Waiting for ${cfg.nodes} node(s) to be Ready`);
  await waitNodesReady(home, cfg.nodes, (opts.waitSeconds ?? 60) * 1000);
  step('Waiting for cluster DNS (kube-system/kube-dns)');
  await waitDNSReady(home, (opts.waitSeconds ?? 60) * 1000);

  const entry = { name: cfg.name, server: `https://127.0.0.1:${cfg.apiPort}`, caCert: pki.caCert, token };
  writeKubeconfig(home.kubeconfig, entry);
  if (opts.kubeconfig) mergeIntoUserKubeconfig(entry);
  step.done();
  console.log('');
  console.log(`Cluster "${cfg.name}" is ready: API https://127.0.0.1:${cfg.apiPort}`);
  if (opts.kubeconfig) {
    console.log(`kubectl context "${cfg.name}" is now current in ${userKubeconfigPath()}. Try:`);
    console.log('  kubectl get nodes');
  } else {
    console.log(`Use it with: kubectl --kubeconfig ${home.kubeconfig} get nodes`);
  }
}
