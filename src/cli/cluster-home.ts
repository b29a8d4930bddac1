// Where a cluster keeps its state, and the settings it was brought up with. Every file a
// cluster creates lives under its home, named after the cluster.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './output.js';
import type { ImageSources } from '../node/images/image-sources.js';
import type { ProxyMode } from '../proxy/proxy-mode.js';

export interface ClusterConfig {
  name: string;
  apiPort: number;
  nodes: number;
  runtime: 'fake' | 'netns';
  /** Where images come from (`kanzen up --images`); auto when absent (homes made before it existed). */
  images?: ImageSources;
  serviceCIDR: string;
  podCIDR: string;
  nodePortRange: string;
  /** Loopback range for LoadBalancer ingress IPs. */
  lbPool: string;
  /** Pods a node takes (the kubelet's --max-pods, its allocatable "pods"); 110 when absent. */
  maxPods?: number;
  /** Which controllers run (`kanzen up --controllers`, kube-controller-manager's flag); all when absent. */
  controllers?: string[];
  /** The Service data plane asked for (`kanzen up --proxy-mode`); nftables where the kernel can, when absent. */
  proxyMode?: ProxyMode;
  store: string;
}

/** The node status.capacity overrides a cluster's config asks for (`--max-pods`). */
export function nodeCapacity(cfg: Pick<ClusterConfig, 'maxPods'>): Record<string, string> | undefined {
  return cfg.maxPods ? { pods: String(cfg.maxPods) } : undefined;
}

export const defaultConfig = (name: string, home: string): ClusterConfig => ({
  name,
  apiPort: 6443,
  nodes: 2,
  runtime: 'netns',
  serviceCIDR: '10.96.0.0/12',
  podCIDR: '10.244.0.0/16',
  nodePortRange: '30000-32767',
  lbPool: '127.0.100.0/24',
  store: `sqlite:${path.join(home, 'state', 'kanzen.db')}`,
});

export interface ClusterHome {
  dir: string;
  config: string;
  kubeconfig: string;
  /** The daemon's PID (API server, controllers), written by the daemon. */
  pidFile: string;
  /** The supervisor's PID: the process `up` starts, which runs the daemon and the node agents. */
  supervisorPidFile: string;
  /** What the supervisor reports: its children's PIDs and restart counts (`kanzen status`). */
  supervisorState: string;
  socket: string;
  pkiDir: string;
  tokenFile: string;
  logsDir: string;
  stateDir: string;
  /** The local-path provisioner's volume directories (kept by `down`, removed by `down --purge`). */
  storageDir: string;
  /** One line written by the daemon when it fails to start, read by `up`. */
  errorFile: string;
}

const clusterNamePattern = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

export function validateClusterName(name: string): string | undefined {
  if (!clusterNamePattern.test(name)) return `invalid cluster name "${name}": use lower case letters, digits and '-', at most 32 characters`;
  return undefined;
}

export function resolveHome(name: string, home?: string): ClusterHome {
  const dir = path.resolve(home ?? process.env.KANZEN_HOME ?? path.join(os.homedir(), '.kanzen', name));
  return {
    dir,
    config: path.join(dir, 'cluster.json'),
    kubeconfig: path.join(dir, 'kubeconfig'),
    pidFile: path.join(dir, 'daemon.pid'),
    supervisorPidFile: path.join(dir, 'supervisor.pid'),
    supervisorState: path.join(dir, 'supervisor.json'),
    // In a folder of its own: the cluster DNS pods get this folder as a hostPath volume.
    socket: path.join(dir, 'run', 'apiserver.sock'),
    pkiDir: path.join(dir, 'pki'),
    tokenFile: path.join(dir, 'pki', 'token'),
    logsDir: path.join(dir, 'logs'),
    stateDir: path.join(dir, 'state'),
    storageDir: path.join(dir, 'storage'),
    errorFile: path.join(dir, 'daemon.err'),
  };
}

export function readConfig(home: ClusterHome): ClusterConfig | undefined {
  try {
    return JSON.parse(fs.readFileSync(home.config, 'utf8')) as ClusterConfig;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cluster state unreadable: ${home.config}: ${(e as Error).message}`);
  }
}

export function writeConfig(home: ClusterHome, cfg: ClusterConfig): void {
  fs.mkdirSync(home.dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(home.config, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
}

/** The kinds of process a cluster runs, by the subcommand or script on their command line. */
export type ClusterProcessKind = 'supervise' | 'daemon' | 'node-agent';

/**
 * The PID recorded in file if that process is alive and is this cluster's process of that
 * kind: a recorded PID may since belong to another program (PIDs are reused), so its
 * command line must name the kind and this home.
 */
export function recordedPid(file: string, kind: ClusterProcessKind, home: ClusterHome): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  return isClusterProcess(pid, kind, home) ? pid : undefined;
}

/** True when the live process pid is this cluster's process of that kind (by /proc/<pid>/cmdline). */
export function isClusterProcess(pid: number, kind: ClusterProcessKind, home: ClusterHome): boolean {
  let argv: string[];
  try {
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  const named = kind === 'node-agent' ? argv.some((a) => a.endsWith('node-agent-main.js')) : argv.includes(kind);
  return named && argv.includes(home.dir);
}

/** The cluster's supervisor PID if it is alive: the cluster is running. */
export function runningPid(home: ClusterHome): number | undefined {
  return recordedPid(home.supervisorPidFile, 'supervise', home);
}

/** The daemon's PID if it is alive (it may be between restarts while the supervisor runs). */
export function runningDaemonPid(home: ClusterHome): number | undefined {
  return recordedPid(home.pidFile, 'daemon', home);
}

/** The home of a running cluster, or a CliError that says how to start it (commands that talk to the API). */
export function runningClusterHome(name: string, dir?: string): ClusterHome {
  const bad = validateClusterName(name);
  if (bad) throw new CliError(bad);
  const home = resolveHome(name, dir);
  if (!runningPid(home)) throw new CliError(`cluster "${name}" is not running: start it with kanzen up`);
  return home;
}
