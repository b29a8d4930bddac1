// The supervisor's side of the `netns` runtime: makes sure the cluster network exists
// (reusing it when a previous run left it complete, so the pods in it keep running), starts
// one node agent per node inside its node namespace (restarting it with back-off if it
// dies), and removes it all again. Agents are recorded by PID in <home>/nodes/<node>/agent.pid;
// every namespace, cgroup and mount the cluster has is named after it or lies under its
// home, so `kanzen down` finds and removes them even when no process of the cluster is alive.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../util/logger.js';
import { recordedPid, type ClusterConfig, type ClusterHome } from './cluster-home.js';
import { clusterNetworkOptions } from './cluster-network.js';
import {
  clusterNetnsKind,
  isProcessAlive,
  listClusterResources,
  planClusterNetwork,
  podBridgeName,
  nodeInterfaceName,
  readMountPoints,
  runCommand,
  setupClusterNetwork,
  teardownClusterNetwork,
  type ClusterNetwork,
} from '../node/cluster-network.js';
import { clusterCgroupPids, removeClusterCgroups } from '../node/container-cgroup.js';
import { nodeSocketPaths } from '../node/node-agent.js';
import { removeClusterRuncContainers } from '../node/kubelet/runc-launcher.js';
import type { AgentChannel } from '../proxy/host-port-mappings.js';
import { RestartBackoff } from './restart-backoff.js';
import { decideProxyMode, defaultProxyMode, describeProxyMode, type ProxyModeDecision } from '../proxy/proxy-mode.js';
import { nftablesUnavailable, nftCheckIn } from '../proxy/nftables-support.js';

const agentMain = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node', 'node-agent-main.js');
const stopTimeoutMs = 10_000;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function agentPidFile(home: ClusterHome, nodeName: string): string {
  return path.join(nodeSocketPaths(home, nodeName).dir, 'agent.pid');
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isProcessAlive(pid);
}

/** SIGTERM, then SIGKILL after timeoutMs; true when the process is gone. */
export async function stopProcess(pid: number, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return true;
  }
  if (await waitGone(pid, timeoutMs)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return true;
  }
  return waitGone(pid, 5000);
}

/** The agent PID files under the home, whatever the node count is now. */
function recordedAgentFiles(home: ClusterHome): string[] {
  const dir = path.join(home.dir, 'nodes');
  try {
    return fs.readdirSync(dir).map((n) => path.join(dir, n, 'agent.pid')).filter((f) => fs.existsSync(f));
  } catch {
    return [];
  }
}

/** Stops the agents recorded in the home (SIGTERM, then SIGKILL) — also after a crash; returns their PIDs. */
export async function stopRecordedAgents(home: ClusterHome): Promise<number[]> {
  const stopped: number[] = [];
  for (const file of recordedAgentFiles(home)) {
    // Only our agent: a recorded PID may have been reused by another program.
    const pid = recordedPid(file, 'node-agent', home);
    if (pid) {
      await stopProcess(pid, stopTimeoutMs);
      stopped.push(pid);
    }
    fs.rmSync(file, { force: true });
  }
  return stopped;
}

/** Lazily unmounts whatever is mounted under the cluster home (deepest first); returns the mount points. */
async function unmountUnder(dir: string, log?: Logger): Promise<string[]> {
  const prefix = path.resolve(dir) + '/';
  const mounts = readMountPoints()
    .filter((m) => (m + '/').startsWith(prefix))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    await runCommand('umount', ['-l', m]).catch((e) => log?.warn('cannot unmount', { mount: m, err: e }));
  }
  return mounts;
}

/** SIGKILLs the processes still in the cluster's cgroups (a pod process outside its namespace). */
async function killCgroupProcesses(cluster: string): Promise<number[]> {
  const pids = clusterCgroupPids(cluster);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  for (const pid of pids) await waitGone(pid, 5000);
  return pids;
}

/**
 * Removes everything the netns runtime created for this cluster: agents (by recorded PID),
 * the processes in its namespaces and cgroups, the namespaces (links go with them), mounts
 * under its home, cgroups, pod folders. Works when nothing of the cluster is alive (after a
 * crash) as well as after an orderly stop; safe when nothing exists.
 */
export async function teardownNetnsRuntime(home: ClusterHome, cluster: string, log?: Logger): Promise<void> {
  await stopRecordedAgents(home);
  if (isRoot()) {
    await teardownClusterNetwork(cluster, log);
    await killCgroupProcesses(cluster).catch((e) => log?.warn('cgroup processes not killed', { err: e }));
    // runc's containers by its recorded state (their processes are gone by now): state, cgroups, runtime directory.
    await removeClusterRuncContainers(cluster).catch((e) => log?.warn('runc containers not removed', { err: e }));
    await unmountUnder(home.dir, log);
    try {
      removeClusterCgroups(cluster);
    } catch (e) {
      log?.warn('cgroup cleanup failed', { err: e });
    }
  }
  // Never through a mount: a bind mount left below would turn this into a deletion of host files.
  const podsDir = path.join(home.dir, 'pods');
  if (!readMountPoints().some((m) => (m + '/').startsWith(podsDir + '/'))) fs.rmSync(podsDir, { recursive: true, force: true });
}

/**
 * The cluster network, reused when a previous run left all of it (the node runtime's state
 * is the truth: the pods in it keep running and their agents re-adopt them); built afresh
 * otherwise (first start, a reboot, another node count).
 */
async function ensureClusterNetwork(cfg: ClusterConfig, log: Logger): Promise<ClusterNetwork> {
  const opts = { ...clusterNetworkOptions(cfg), logger: log };
  const plan = planClusterNetwork(opts);
  const have = await listClusterResources(cfg.name);
  const wantedNetns = [plan.routerNetns, ...plan.nodes.map((n) => n.netns)];
  const links = new Set(have.links);
  const complete =
    wantedNetns.every((n) => have.netns.includes(n)) &&
    links.has(`${plan.routerNetns}/${plan.clusterBridge}`) &&
    plan.nodes.every((n) => links.has(`${n.netns}/${nodeInterfaceName}`) && links.has(`${n.netns}/${podBridgeName}`)) &&
    // A node namespace beyond the node count means the cluster was resized: rebuild.
    have.netns.filter((n) => clusterNetnsKind(cfg.name, n)?.kind === 'node').length === plan.nodes.length;
  if (complete) {
    log.info('cluster network found: reusing it with its pods', { cluster: cfg.name, namespaces: have.netns.length });
    return plan;
  }
  return setupClusterNetwork(opts);
}

/**
 * The proxy mode the agents run: the cluster's choice, after the kernel check in the first
 * node's namespace when that is nftables (every node shares the kernel and its modules).
 * A fallback is one warning in the supervisor log, and `kanzen up` prints it.
 */
async function checkProxyMode(cfg: ClusterConfig, net: ClusterNetwork, log: Logger): Promise<ProxyModeDecision> {
  const requested = cfg.proxyMode ?? defaultProxyMode;
  const missing = requested === 'nftables' ? await nftablesUnavailable(nftCheckIn(net.nodes[0].netns), cfg.name) : undefined;
  const decision = decideProxyMode(requested, missing);
  if (decision.reason) log.warn(describeProxyMode(decision));
  else log.info(describeProxyMode(decision));
  return decision;
}

export interface AgentStatus {
  pid?: number;
  restarts: number;
}

export interface NetnsRuntime {
  /** Starts the node agents (once the API answers: they register their nodes at start). */
  startAgents(): void;
  /** The agents running now. */
  agents(): Iterable<AgentChannel>;
  /** Called with every message an agent sends over its IPC channel. */
  onAgentMessage(fn: (agent: AgentChannel, message: unknown) => void): void;
  /** The Service data plane every node agent runs (the kernel check's decision). */
  readonly proxyMode: ProxyModeDecision;
  /** Each node's agent PID and restart count. */
  agentStatus(): Record<string, AgentStatus>;
  /** Stops the agents and removes the cluster network with its pods (kanzen down). */
  stop(): Promise<void>;
}

export async function startNetnsRuntime(home: ClusterHome, cfg: ClusterConfig, log: Logger, onChange: () => void = () => undefined): Promise<NetnsRuntime> {
  // Agents a crashed supervisor left are replaced (their pods are not: the new agents re-adopt them).
  const orphans = await stopRecordedAgents(home);
  if (orphans.length > 0) log.info('stopped the node agents of a previous run', { pids: orphans });
  const net = await ensureClusterNetwork(cfg, log);
  const proxyMode = await checkProxyMode(cfg, net, log);
  const children = new Map<string, ChildProcess>();
  const channels = new Map<string, AgentChannel>();
  const status = new Map<string, AgentStatus>();
  const messageHandlers: ((agent: AgentChannel, message: unknown) => void)[] = [];
  let stopping = false;

  const startAgent = (nodeName: string, netns: string, index: number, backoff: RestartBackoff) => {
    const logFile = path.join(home.logsDir, `${nodeName}.log`);
    const logFd = fs.openSync(logFile, 'a', 0o600);
    const startedAt = Date.now();
    // nsenter, not `ip netns exec`: the latter also gives the agent a mount namespace of its
    // own, and the pod namespaces the agent then creates (bind mounts in /run/netns) would be
    // invisible to the supervisor's teardown.
    const child = spawn('nsenter', [`--net=/run/netns/${netns}`, process.execPath, agentMain, '--name', cfg.name, '--home', home.dir, '--index', String(index), '--proxy-mode', proxyMode.mode], {
      // The IPC channel carries the host's NodePort and LoadBalancer sockets (host-port-mappings.ts).
      stdio: ['ignore', logFd, logFd, 'ipc'],
      // The agent's logger writes the rotating log file; raw output (a crash) lands there too.
      env: { ...process.env, KANZEN_LOG_FILE: logFile },
    });
    fs.closeSync(logFd);
    children.set(nodeName, child);
    const channel: AgentChannel = {
      send: (message, handle) => {
        if (child.connected) child.send(message, handle as never, (err) => err && log.warn('cannot reach node agent', { node: nodeName, err: err.message }));
      },
    };
    channels.set(nodeName, channel);
    child.on('message', (m) => {
      for (const fn of messageHandlers) fn(channel, m);
    });
    // An unreachable agent is reported by its exit; a failed send must not crash the supervisor.
    child.on('error', (e) => log.warn('node agent process error', { node: nodeName, err: e.message }));
    fs.mkdirSync(nodeSocketPaths(home, nodeName).dir, { recursive: true, mode: 0o700 });
    if (child.pid) fs.writeFileSync(agentPidFile(home, nodeName), `${child.pid}\n`);
    const st = status.get(nodeName) ?? { restarts: 0 };
    st.pid = child.pid;
    status.set(nodeName, st);
    onChange();
    child.on('exit', (code, signal) => {
      children.delete(nodeName);
      if (channels.get(nodeName) === channel) channels.delete(nodeName);
      st.pid = undefined;
      if (stopping) return;
      const delay = backoff.delayAfter(Date.now() - startedAt);
      log.warn('node agent exited; restarting', { node: nodeName, code, signal, delayMs: delay });
      setTimeout(() => {
        if (stopping) return;
        st.restarts++;
        startAgent(nodeName, netns, index, backoff);
      }, delay);
    });
  };

  return {
    startAgents() {
      for (const n of net.nodes) if (!children.has(n.nodeName)) startAgent(n.nodeName, n.netns, n.index, new RestartBackoff());
    },
    proxyMode,
    agents: () => channels.values(),
    onAgentMessage: (fn) => void messageHandlers.push(fn),
    agentStatus: () => Object.fromEntries([...status].map(([k, v]) => [k, { ...v }])),
    async stop() {
      stopping = true;
      await teardownNetnsRuntime(home, cfg.name, log);
    },
  };
}
