// The daemon's side of the `netns` runtime: creates the cluster network, starts one node
// agent per node inside its node namespace (restarting it if it dies), and removes it all
// again. Agents are stopped by the PIDs recorded in <home>/nodes/<node>/agent.pid, and
// teardown removes every namespace named after the cluster, so `kanzen down` and the next
// `kanzen up` after a crash leave nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../util/logger.js';
import type { ClusterConfig, ClusterHome } from './cluster-home.js';
import { clusterNetworkOptions } from './cluster-network.js';
import { setupClusterNetwork, teardownClusterNetwork, isProcessAlive } from '../node/cluster-network.js';
import { removeClusterCgroups } from '../node/container-cgroup.js';
import { nodeSocketPaths } from '../node/node-agent.js';
import type { AgentChannel } from '../proxy/host-port-mappings.js';

const agentMain = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node', 'node-agent-main.js');
const restartDelayMs = 1000;
const stopTimeoutMs = 10_000;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function agentPidFile(home: ClusterHome, nodeName: string): string {
  return path.join(nodeSocketPaths(home, nodeName).dir, 'agent.pid');
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isProcessAlive(pid);
}

/** Stops the agents recorded in the home (SIGTERM, then SIGKILL) — also after a daemon crash. */
export async function stopRecordedAgents(home: ClusterHome, cfg: ClusterConfig): Promise<void> {
  for (let i = 1; i <= cfg.nodes; i++) {
    const file = agentPidFile(home, `node-${i}`);
    const pid = readPid(file);
    if (pid && isProcessAlive(pid)) {
      // Only our agent: its command line names this home.
      let ours = false;
      try {
        ours = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(home.dir);
      } catch {
        ours = false;
      }
      if (ours) {
        process.kill(pid, 'SIGTERM');
        if (!(await waitGone(pid, stopTimeoutMs))) process.kill(pid, 'SIGKILL');
      }
    }
    fs.rmSync(file, { force: true });
  }
}

/** Removes everything the netns runtime created for this cluster: agents, namespaces (and their processes), cgroups, pod folders. */
export async function teardownNetnsRuntime(home: ClusterHome, cfg: ClusterConfig, log?: Logger): Promise<void> {
  await stopRecordedAgents(home, cfg);
  await teardownClusterNetwork(cfg.name, log);
  try {
    removeClusterCgroups(cfg.name);
  } catch (e) {
    log?.warn('cgroup cleanup failed', { err: e });
  }
  fs.rmSync(path.join(home.dir, 'pods'), { recursive: true, force: true });
}

export interface NetnsRuntime {
  /** The agents running now. */
  agents(): Iterable<AgentChannel>;
  /** Called with every message an agent sends over its IPC channel. */
  onAgentMessage(fn: (agent: AgentChannel, message: unknown) => void): void;
  kubeletSocket(nodeName: string): string;
  stop(): Promise<void>;
}

export async function startNetnsRuntime(home: ClusterHome, cfg: ClusterConfig, log: Logger): Promise<NetnsRuntime> {
  // Whatever a crashed run left is removed first (setupClusterNetwork is idempotent too).
  await stopRecordedAgents(home, cfg);
  const net = await setupClusterNetwork({ ...clusterNetworkOptions(cfg), logger: log });
  const children = new Map<string, ChildProcess>();
  const channels = new Map<string, AgentChannel>();
  const messageHandlers: ((agent: AgentChannel, message: unknown) => void)[] = [];
  let stopping = false;

  const startAgent = (nodeName: string, netns: string, index: number) => {
    const logFd = fs.openSync(path.join(home.logsDir, `${nodeName}.log`), 'a', 0o600);
    // nsenter, not `ip netns exec`: the latter also gives the agent a mount namespace of its
    // own, and the pod namespaces the agent then creates (bind mounts in /run/netns) would be
    // invisible to the daemon's teardown.
    const child = spawn('nsenter', [`--net=/run/netns/${netns}`, process.execPath, agentMain, '--name', cfg.name, '--home', home.dir, '--index', String(index)], {
      // The IPC channel carries the host's NodePort and LoadBalancer sockets (host-port-mappings.ts).
      stdio: ['ignore', logFd, logFd, 'ipc'],
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
    fs.mkdirSync(nodeSocketPaths(home, nodeName).dir, { recursive: true, mode: 0o700 });
    if (child.pid) fs.writeFileSync(agentPidFile(home, nodeName), `${child.pid}\n`);
    child.on('exit', (code, signal) => {
      children.delete(nodeName);
      if (channels.get(nodeName) === channel) channels.delete(nodeName);
      if (stopping) return;
      log.warn('node agent exited; restarting', { node: nodeName, code, signal });
      setTimeout(() => {
        if (!stopping) startAgent(nodeName, netns, index);
      }, restartDelayMs);
    });
  };
  for (const n of net.nodes) startAgent(n.nodeName, n.netns, n.index);

  return {
    agents: () => channels.values(),
    onAgentMessage: (fn) => void messageHandlers.push(fn),
    kubeletSocket: (nodeName) => nodeSocketPaths(home, nodeName).kubelet,
    async stop() {
      stopping = true;
      await teardownNetnsRuntime(home, cfg, log);
    },
  };
}

