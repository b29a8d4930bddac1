// Sandboxes of the `netns` runtime for the kubelet: pod-sandbox.ts does the work; this keeps
// each sandbox's descriptor in <podDir>/sandbox.json so a restarted kubelet finds it again,
// and runs exec probes/hooks inside a container through the launcher (runc exec or nsenter).
import fs from 'node:fs';
import path from 'node:path';
import type { Pod } from '../../api/types.js';
import { netnsRunDir, type NodeNetwork } from '../cluster-network.js';
import { createPodSandbox, listPodDirectories, podDirectory, removePodSandbox, type PodSandbox } from '../pod-sandbox.js';
import { isProcessAlive } from '../cluster-network.js';
import { processStartTime, type ContainerLauncher } from './container-launcher.js';
import { ExecTimeoutError, type SandboxExec } from './handlers.js';
import type { SandboxInfo, SandboxProvider } from './kubelet.js';
import { removePodLimits } from './container-limits.js';
import { removePodRuncContainers } from './runc-launcher.js';

export interface NetnsSandboxOptions {
  cluster: string;
  home: string;
  node: Pick<NodeNetwork, 'netns' | 'podBridge' | 'podGateway' | 'podCIDR' | 'nodeName'>;
  nodeIP: string;
  clusterDNS: string[];
  clusterDomain?: string;
}

export class NetnsSandboxProvider implements SandboxProvider {
  private readonly byUID = new Map<string, PodSandbox>();

  constructor(private readonly opts: NetnsSandboxOptions) {}

  podDir(podUID: string): string {
    return podDirectory(this.opts.home, podUID);
  }

  /** The full sandbox of a pod (the launcher needs its paths). */
  get(podUID: string): PodSandbox | undefined {
    return this.byUID.get(podUID);
  }

  async create(pod: Pod, podIP: string): Promise<SandboxInfo> {
    const sb = await createPodSandbox({
      cluster: this.opts.cluster,
      home: this.opts.home,
      pod,
      node: this.opts.node,
      podIP,
      nodeIP: this.opts.nodeIP,
      clusterDNS: this.opts.clusterDNS,
      clusterDomain: this.opts.clusterDomain,
    });
    fs.writeFileSync(path.join(sb.podDir, 'sandbox.json'), JSON.stringify(sb));
    this.byUID.set(sb.podUID, sb);
    return { podDir: sb.podDir, podIP: sb.podIP, warnings: sb.dnsWarnings };
  }

  async recover(pod: Pod): Promise<SandboxInfo | undefined> {
    const uid = pod.metadata.uid ?? '';
    let sb: PodSandbox;
    try {
      sb = JSON.parse(fs.readFileSync(path.join(this.podDir(uid), 'sandbox.json'), 'utf8')) as PodSandbox;
    } catch {
      return undefined;
    }
    if (sb.podUID !== uid || !fs.existsSync(path.join(netnsRunDir, sb.netns))) return undefined;
    this.byUID.set(uid, sb);
    return { podDir: sb.podDir, podIP: sb.podIP };
  }

  /**
   * Removes the sandboxes of this node that no pod claims any more — their pod was deleted
   * while no agent ran (upstream kubelet housekeeping, HandlePodCleanups, kills such pods):
   * the processes in them, then the sandbox. Returns the UIDs removed.
   */
  async removeOrphans(keep: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    for (const uid of listPodDirectories(this.opts.home)) {
      if (keep.has(uid) || this.byUID.has(uid)) continue;
      let sb: PodSandbox;
      try {
        sb = JSON.parse(fs.readFileSync(path.join(this.podDir(uid), 'sandbox.json'), 'utf8')) as PodSandbox;
      } catch {
        continue;
      }
      // Another node's pod (every node's pods share the home).
      if (sb.podUID !== uid || sb.nodeNetns !== this.opts.node.netns) continue;
      // A hostNetwork pod's containers live in the node's namespace: killed by their recorded PIDs.
      killRecordedContainers(sb.podDir);
      await removePodSandbox(sb);
      await removePodRuncContainers(this.opts.cluster, uid).catch(() => undefined);
      await removePodLimits(this.opts.cluster, uid);
      removed.push(uid);
    }
    return removed;
  }

  async remove(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const sb = this.byUID.get(uid);
    this.byUID.delete(uid);
    await removePodSandbox(
      sb ?? { cluster: this.opts.cluster, home: this.opts.home, podUID: uid, hostNetwork: pod.spec.hostNetwork === true, nodeNetns: this.opts.node.netns },
    );
    // Whatever runc still keeps of the pod's containers (their state and cgroups).
    await removePodRuncContainers(this.opts.cluster, uid).catch(() => undefined);
    // The pod-level cgroup goes with the sandbox (its processes died with the namespace).
    await removePodLimits(this.opts.cluster, uid);
  }
}

/** SIGKILLs the containers a pod's state.json records as running, if each is still that process (PID and start time). */
function killRecordedContainers(podDir: string): void {
  let state: { containers?: { pid?: number; pidStartTime?: string }[] };
  try {
    state = JSON.parse(fs.readFileSync(path.join(podDir, 'state.json'), 'utf8'));
  } catch {
    return;
  }
  for (const c of state.containers ?? []) {
    if (c.pid === undefined || !isProcessAlive(c.pid) || processStartTime(c.pid) !== c.pidStartTime) continue;
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** exec probes and hooks: the launcher runs the command in the container (runc exec, or nsenter), output collected, killed at the timeout. */
export function containerExec(launcher: Required<Pick<ContainerLauncher, 'exec'>>): SandboxExec {
  return (target, argv, timeoutMs) =>
    new Promise((resolve, reject) => {
      if (!target.pid) {
        reject(new Error(`container "${target.container}" is not running`));
        return;
      }
      const exec = launcher.exec({ podUID: target.podUID, container: target.container, pid: target.pid }, argv, {});
      const child = exec.process;
      let output = '';
      child.stdout?.on('data', (d: Buffer) => (output += d.toString('utf8')));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString('utf8')));
      const timer = setTimeout(() => {
        exec.kill();
        reject(new ExecTimeoutError('timed out'));
      }, timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code ?? 137, output });
      });
    });
}
