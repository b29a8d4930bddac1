// What a node reports of its resource usage, in the shape of the kubelet's resource metrics
// (pkg/kubelet/metrics/collectors/resource_metrics.go behind /metrics/resource): cumulative CPU
// time and the memory working set per running container, and the same for the node. Read from
// the container's cgroups as cAdvisor reads them:
//   CPU:    cgroup v2 cpu.stat usage_usec, v1 cpuacct.usage (nanoseconds);
//   memory: the working set, usage minus inactive file pages (v2 memory.current - memory.stat
//           inactive_file, v1 memory.usage_in_bytes - memory.stat total_inactive_file), never
//           below 0: page cache the kernel can drop at once is not counted.
import fs from 'node:fs';
import path from 'node:path';
import type { Pod } from '../api/types.js';
import type { CgroupMounts } from './container-cgroup.js';
import type { KubeletBase } from './kubelet-base.js';

export type { ContainerUsage, NodeResourceUsage, Usage } from '../api/node-resource-usage.js';
import type { ContainerUsage, NodeResourceUsage, Usage } from '../api/node-resource-usage.js';

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A `key value` line of a cgroup stat file. */
function statValue(text: string | undefined, key: string): number | undefined {
  const m = text === undefined ? null : new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

function number(text: string | undefined): number | undefined {
  const n = text === undefined ? NaN : Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** cgroup v2: usage_usec and memory.current - inactive_file of one group directory. */
function unifiedUsage(dir: string): Usage | undefined {
  const usec = statValue(readText(path.join(dir, 'cpu.stat')), 'usage_usec');
  const current = number(readText(path.join(dir, 'memory.current')));
  if (usec === undefined || current === undefined) return undefined;
  const inactive = statValue(readText(path.join(dir, 'memory.stat')), 'inactive_file') ?? 0;
  return { cpuCoreSeconds: usec / 1e6, memoryWorkingSetBytes: Math.max(0, current - inactive) };
}

/** cgroup v1: cpuacct.usage and memory.usage_in_bytes - total_inactive_file of the group in each hierarchy. */
function v1Usage(cpuacctDir: string, memoryDir: string): Usage | undefined {
  const ns = number(readText(path.join(cpuacctDir, 'cpuacct.usage')));
  const usage = number(readText(path.join(memoryDir, 'memory.usage_in_bytes')));
  if (ns === undefined || usage === undefined) return undefined;
  const inactive = statValue(readText(path.join(memoryDir, 'memory.stat')), 'total_inactive_file') ?? 0;
  return { cpuCoreSeconds: ns / 1e9, memoryWorkingSetBytes: Math.max(0, usage - inactive) };
}

/** The cpuacct hierarchy of cgroup v1 (often its own mount, or joint with cpu as cpu,cpuacct). */
function cpuacctRoot(mounts: CgroupMounts): string | undefined {
  for (const h of mounts.hierarchies ?? []) if (/(^|[/,])cpuacct(,|$)/.test(path.basename(h))) return h;
  return undefined;
}

/**
 * The usage of one group (`/kz-<cluster>/pod<uid>/<container>`, containerCgroupPath), from cgroup v2
 * when the group is there, else from v1; undefined when the machine has neither for it.
 */
export function readCgroupUsage(mounts: CgroupMounts, group: string): Usage | undefined {
  if (mounts.unified) {
    const u = unifiedUsage(path.join(mounts.unified.root, group));
    if (u) return u;
  }
  const cpuacct = cpuacctRoot(mounts);
  if (!cpuacct || !mounts.v1.memory) return undefined;
  return v1Usage(path.join(cpuacct, group), path.join(mounts.v1.memory, group));
}

/**
 * A node's own usage as the sum of its containers'. kanzen's nodes are slices of one machine:
 * the host's /proc/stat and /proc/meminfo would show every node the whole machine's load (the
 * same numbers on each), while the pods a node runs are exactly the work that node does.
 */
export function sumUsage(containers: Usage[]): Usage {
  return containers.reduce((a, c) => ({ cpuCoreSeconds: a.cpuCoreSeconds + c.cpuCoreSeconds, memoryWorkingSetBytes: a.memoryWorkingSetBytes + c.memoryWorkingSetBytes }), { cpuCoreSeconds: 0, memoryWorkingSetBytes: 0 });
}

/** A pod's containers that run now, by the pod's status (what the kubelet reports running). */
export function runningContainers(pod: Pod): string[] {
  return (pod.status?.containerStatuses ?? []).filter((s) => s.state?.running).map((s) => s.name);
}

/** One reading of a node: each running container's usage (those it can read), the node's as their sum. */
export function collectNodeUsage(pods: Pod[], readContainer: (pod: Pod, container: string) => Usage | undefined, time: Date): NodeResourceUsage {
  const containers: ContainerUsage[] = [];
  for (const pod of pods) {
    if (pod.status?.phase !== 'Running') continue;
    for (const name of runningContainers(pod)) {
      const u = readContainer(pod, name);
      if (u) containers.push({ namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name ?? '', container: name, ...u });
    }
  }
  return { time, node: sumUsage(containers), containers };
}

/**
 * The fake runtime's containers run no processes, so there is nothing to measure: each running
 * container reports a fixed, plausible idle usage — 1 millicore of CPU since it started and a
 * 4 MiB working set. These are stand-in numbers, not measurements.
 */
export function fakeContainerUsage(pod: Pod, container: string, now: Date): Usage {
  const startedAt = pod.status?.containerStatuses?.find((s) => s.name === container)?.state?.running?.startedAt;
  const seconds = startedAt ? Math.max(0, (now.getTime() - Date.parse(startedAt)) / 1000) : 0;
  return { cpuCoreSeconds: 0.001 * seconds, memoryWorkingSetBytes: 4 * 1024 * 1024 };
}

/** A fake-runtime node's reading: its running containers with fakeContainerUsage's stand-in numbers. */
export function fakeNodeUsage(kubelet: Pick<KubeletBase, 'boundPods'> | undefined, now = new Date()): NodeResourceUsage {
  if (!kubelet) throw new Error('no such node');
  return collectNodeUsage(kubelet.boundPods(), (pod, container) => fakeContainerUsage(pod, container, now), now);
}
