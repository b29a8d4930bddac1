// `kanzen down`: stop a cluster's supervisor (by its recorded PID), which stops the node
// agents, removes the cluster network with its pods and stops the daemon; then remove
// whatever of the cluster is still there — all of it after a crash, when no process of the
// cluster is alive: recorded processes (each checked to still be the cluster's, PIDs get
// reused), the processes in the namespaces and cgroups named after the cluster, mounts under
// its home, the namespaces and cgroups. Never by process name. `--purge` also deletes the
// cluster's stored state.
import fs from 'node:fs';
import { readConfig, recordedPid, resolveHome, runningPid, validateClusterName, type ClusterHome } from './cluster-home.js';
import { removeFromUserKubeconfig } from './kubeconfig.js';
import { stopProcess, teardownNetnsRuntime } from './netns-runtime.js';
import { listClusterResources } from '../node/cluster-network.js';
import { CliError } from './output.js';
import { defaultClaimsDir, releasePools } from './lb-pool-claims.js';

export interface DownOptions {
  name: string;
  home?: string;
  purge: boolean;
  timeoutSeconds?: number;
}

/** Waits (bounded) until the process is not even a zombie any more: its PID is free. */
async function reaped(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a crashed run left: its processes (recorded or in its namespaces) and namespaces. */
async function leftovers(home: ClusterHome, name: string): Promise<{ pids: number[]; netns: string[] }> {
  const pids = [recordedPid(home.supervisorPidFile, 'supervise', home), recordedPid(home.pidFile, 'daemon', home)].filter((p): p is number => p !== undefined);
  const r = await listClusterResources(name, home.dir);
  return { pids: [...pids, ...r.pids], netns: r.netns };
}

/** Stops the recorded supervisor and daemon if alive (after a crash of one of them), then everything of the runtime. */
async function removeLeftovers(home: ClusterHome, name: string): Promise<void> {
  for (const [file, kind] of [
    [home.supervisorPidFile, 'supervise'],
    [home.pidFile, 'daemon'],
  ] as const) {
    const pid = recordedPid(file, kind, home);
    if (pid) await stopProcess(pid, 10_000);
  }
  await teardownNetnsRuntime(home, name);
}

export async function down(opts: DownOptions): Promise<void> {
  const bad = validateClusterName(opts.name);
  if (bad) throw new CliError(bad);
  const home = resolveHome(opts.name, opts.home);
  const name = readConfig(home)?.name ?? opts.name;
  const pid = runningPid(home);
  if (pid) {
    // The supervisor stops the agents, the pods and the daemon; SIGKILL only if it hangs
    // (what it had not removed yet is removed below).
    await stopProcess(pid, (opts.timeoutSeconds ?? 60) * 1000);
    await reaped(pid, 5000);
    console.log(`Stopped cluster "${opts.name}".`);
  } else if (fs.existsSync(home.dir)) {
    console.log(`Cluster "${opts.name}" is not running.`);
  } else {
    console.log(`No cluster "${opts.name}" at ${home.dir}.`);
  }
  const left = await leftovers(home, name);
  try {
    await removeLeftovers(home, name);
  } catch (e) {
    throw new CliError(`cannot remove what cluster "${name}" left: ${(e as Error).message}`);
  }
  if (left.pids.length > 0 || left.netns.length > 0) {
    console.log(`Removed what a crashed run left: ${left.pids.length} process(es), ${left.netns.length} network namespace(s).`);
  }
  for (const f of [home.supervisorPidFile, home.pidFile, home.supervisorState, home.socket]) fs.rmSync(f, { force: true });
  if (opts.purge) {
    releasePools(defaultClaimsDir(), home.config);
    fs.rmSync(home.dir, { recursive: true, force: true });
    if (removeFromUserKubeconfig(name)) console.log(`Removed context "${opts.name}" from your kubeconfig.`);
    console.log(`Deleted the state of cluster "${opts.name}".`);
  }
}
