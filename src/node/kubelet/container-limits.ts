// A container's resources as cgroup limits, for the sandbox launcher (upstream: the
// container manager and the runtime put the container in a cgroup with its memory limit and
// CPU quota/shares). The groups are ../container-cgroup.ts's; this adds what the kubelet
// needs around them: best effort with one log line per controller that cannot be used on
// this machine, the OOM kill of a container told apart (containerd reports reason
// OOMKilled when the kernel's OOM killer acted in the container's memory cgroup), and the
// pod's groups removed once its processes are gone.
import fs from 'node:fs';
import path from 'node:path';
import type { Container } from '../../api/types.js';
import type { Logger } from '../../util/logger.js';
import { applyContainerLimits, cgroupRoots, containerCgroupPath, detectCgroupMounts, removePodCgroups, type CgroupMounts } from '../container-cgroup.js';

let machineMounts: CgroupMounts | undefined;

/** The machine's cgroup mounts, read once per process. */
export function cgroupMounts(): CgroupMounts {
  machineMounts ??= detectCgroupMounts();
  return machineMounts;
}

/** The kernel's count of OOM kills in a memory group (v1 memory.oom_control, v2 memory.events); undefined without one. */
export function oomKillCount(group: string): number | undefined {
  for (const file of ['memory.oom_control', 'memory.events']) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(group, file), 'utf8');
    } catch {
      continue;
    }
    const m = /^oom_kill (\d+)$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  }
  return undefined;
}

/** A container's memory group (where the kernel counts its OOM kills), if the machine has the controller. */
export function containerMemoryGroup(cluster: string, podUID: string, container: string, mounts = cgroupMounts()): string | undefined {
  const root = mounts.v1.memory ?? (mounts.unified?.controllers.has('memory') ? mounts.unified.root : undefined);
  return root && path.join(root, containerCgroupPath(cluster, podUID, container));
}

export interface ContainerLimitsHandle {
  /** The groups the container was put in. */
  groups: string[];
  /** Whether the OOM killer acted in the container's memory group since it was started. */
  oomKilled(): boolean;
}

export class ContainerLimits {
  private readonly logged = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly mounts: () => CgroupMounts = cgroupMounts,
  ) {}

  /** Puts the started container's process in its groups; never throws (limits are best effort). */
  apply(cluster: string, podUID: string, c: Pick<Container, 'name' | 'resources'>, pid: number): ContainerLimitsHandle {
    let applied: ReturnType<typeof applyContainerLimits>;
    try {
      applied = applyContainerLimits({ cluster, podUID, container: c.name, pid, resources: c.resources, mounts: this.mounts() });
    } catch (e) {
      applied = { groups: [], skipped: [{ controller: 'memory', reason: (e as Error).message }] };
    }
    for (const s of applied.skipped) {
      if (this.logged.has(s.controller)) continue;
      this.logged.add(s.controller);
      this.log.warn('container resource limits not enforced: cgroup controller unavailable', { controller: s.controller, reason: s.reason });
    }
    const memoryGroup = applied.groups.find((g) => oomKillCount(g) !== undefined);
    const baseline = memoryGroup === undefined ? undefined : oomKillCount(memoryGroup);
    return {
      groups: applied.groups,
      oomKilled: () => {
        if (memoryGroup === undefined || baseline === undefined) return false;
        return (oomKillCount(memoryGroup) ?? baseline) > baseline;
      },
    };
  }
}

/**
 * Removes the pod's groups. Its processes were just killed; a group whose last ones are not
 * yet reaped is busy, so this retries for a moment (what is left, `down` removes).
 */
export async function removePodLimits(cluster: string, podUID: string, mounts = cgroupMounts(), timeoutMs = 2000): Promise<boolean> {
  const dirs = podGroupDirs(cluster, podUID, mounts);
  if (!dirs.some((d) => fs.existsSync(d))) return true;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    removePodCgroups(cluster, podUID, mounts);
    if (!dirs.some((d) => fs.existsSync(d))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function podGroupDirs(cluster: string, podUID: string, mounts: CgroupMounts): string[] {
  return cgroupRoots(mounts).map((r) => path.join(r, `kz-${cluster}`, `pod${podUID}`));
}
