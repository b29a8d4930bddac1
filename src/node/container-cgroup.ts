// Resource limits for a container's processes through cgroups, the way the kubelet's
// container manager turns resources into cgroup settings (pkg/kubelet/cm: MilliCPUToQuota,
// MilliCPUToShares, memory limit in bytes).
//
// Each controller is taken from cgroup v2 when the unified hierarchy offers it, else from
// its v1 hierarchy; a controller available in neither is skipped and reported (the caller
// logs the reason), never an error: limits are best effort on a developer machine.
// Groups are named after the cluster, `kz-<cluster>/pod<uid>/<container>`, so `down`
// removes them (removeClusterCgroups) like every other cluster resource.
//
// Approximation: the container's PID is moved into its group right after it started, so
// the first instructions of its command run unconstrained.
import fs from 'node:fs';
import path from 'node:path';
import type { ResourceRequirements } from '../api/types.js';
import { parseQuantity } from '../api/quantity.js';
import { assertClusterName } from './cluster-network.js';

export type CgroupController = 'memory' | 'cpu' | 'pids';

export interface CgroupMounts {
  /** The cgroup2 mount and the controllers its root offers. */
  unified?: { root: string; controllers: Set<string> };
  /** v1 hierarchies by controller. */
  v1: Partial<Record<CgroupController, string>>;
  /**
   * Every cgroup and cgroup2 mount point: runc makes a container's group in each hierarchy
   * (devices, freezer, name=systemd, …), so cleanup looks in all of them.
   */
  hierarchies?: string[];
}

/** Upstream's CFS period (100ms) and minimum quota (1ms). */
const quotaPeriod = 100_000;
const minQuotaPeriod = 1_000;
/** Upstream MinShares / MaxShares. */
const minShares = 2;
const maxShares = 262_144;

/** Reads /proc/self/mountinfo for cgroup and cgroup2 mounts. */
export function detectCgroupMounts(mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8')): CgroupMounts {
  const out: CgroupMounts = { v1: {}, hierarchies: [] };
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const mountPoint = left.split(' ')[4];
    const [fstype, , superOpts = ''] = right.split(' ');
    if ((fstype === 'cgroup' || fstype === 'cgroup2') && !out.hierarchies!.includes(mountPoint)) out.hierarchies!.push(mountPoint);
    if (fstype === 'cgroup2' && !out.unified) {
      let controllers = '';
      try {
        controllers = fs.readFileSync(path.join(mountPoint, 'cgroup.controllers'), 'utf8');
      } catch {
        controllers = '';
      }
      out.unified = { root: mountPoint, controllers: new Set(controllers.split(/\s+/).filter(Boolean)) };
    } else if (fstype === 'cgroup') {
      for (const opt of superOpts.split(',')) {
        if ((opt === 'memory' || opt === 'cpu' || opt === 'pids') && !out.v1[opt]) out.v1[opt] = mountPoint;
      }
    }
  }
  return out;
}

/** MilliCPUToQuota */
export function milliCPUToQuota(milliCPU: number): number {
  if (milliCPU === 0) return 0;
  return Math.max(Math.floor((milliCPU * quotaPeriod) / 1000), minQuotaPeriod);
}

/** MilliCPUToShares */
export function milliCPUToShares(milliCPU: number): number {
  if (milliCPU === 0) return minShares;
  return Math.min(Math.max(Math.floor((milliCPU * 1024) / 1000), minShares), maxShares);
}

/** cgroup v2 cpu.weight from v1 shares (the runc/kubelet conversion). */
export function sharesToWeight(shares: number): number {
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

export interface CgroupSetting {
  controller: CgroupController;
  /** file name → value, for v1 and v2 respectively */
  v1: Record<string, string>;
  v2: Record<string, string>;
}

/** A container's resources as the kubelet hands them to the runtime (CRI LinuxContainerResources). */
export interface ContainerResourceLimits {
  memoryLimitBytes?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
}

/** upstream generateLinuxContainerResources: memory limit, CPU shares from the request, CFS quota from the limit. */
export function containerResourceLimits(resources: ResourceRequirements | undefined): ContainerResourceLimits {
  const out: ContainerResourceLimits = {};
  const limits = resources?.limits ?? {};
  const requests = resources?.requests ?? {};
  if (limits.memory !== undefined) out.memoryLimitBytes = Math.floor(parseQuantity(limits.memory));
  const cpuLimit = limits.cpu !== undefined ? Math.ceil(parseQuantity(limits.cpu) * 1000) : undefined;
  // A container with only a limit gets requests = limits (API defaulting).
  const cpuRequest = requests.cpu !== undefined ? Math.ceil(parseQuantity(requests.cpu) * 1000) : cpuLimit;
  if (cpuLimit !== undefined || cpuRequest !== undefined) out.cpuShares = milliCPUToShares(cpuRequest ?? 0);
  if (cpuLimit !== undefined) {
    out.cpuQuota = milliCPUToQuota(cpuLimit);
    out.cpuPeriod = quotaPeriod;
  }
  return out;
}

/** The cgroup files a container's resources turn into. */
export function cgroupSettings(resources: ResourceRequirements | undefined): CgroupSetting[] {
  const out: CgroupSetting[] = [];
  const r = containerResourceLimits(resources);
  if (r.memoryLimitBytes !== undefined) {
    const bytes = String(r.memoryLimitBytes);
    out.push({ controller: 'memory', v1: { 'memory.limit_in_bytes': bytes }, v2: { 'memory.max': bytes } });
  }
  if (r.cpuShares !== undefined) {
    const v1: Record<string, string> = { 'cpu.shares': String(r.cpuShares) };
    const v2: Record<string, string> = { 'cpu.weight': String(sharesToWeight(r.cpuShares)) };
    if (r.cpuQuota !== undefined) {
      v1['cpu.cfs_period_us'] = String(r.cpuPeriod);
      v1['cpu.cfs_quota_us'] = String(r.cpuQuota);
      v2['cpu.max'] = `${r.cpuQuota} ${r.cpuPeriod}`;
    }
    out.push({ controller: 'cpu', v1, v2 });
  }
  return out;
}

/** A container's group below each hierarchy's root: `/kz-<cluster>/pod<uid>/<container>` (also runc's cgroupsPath). */
export function containerCgroupPath(cluster: string, podUID: string, container: string): string {
  return '/' + groupPath(cluster, podUID, container).join('/');
}

function groupPath(cluster: string, podUID: string, container: string): string[] {
  assertClusterName(cluster);
  if (!/^[A-Za-z0-9-]+$/.test(podUID) || !/^[a-z0-9-]+$/.test(container)) throw new Error('invalid pod UID or container name for a cgroup');
  return [`kz-${cluster}`, `pod${podUID}`, container];
}

export interface AppliedLimits {
  /** Group directories the process was moved into. */
  groups: string[];
  /** Controllers that could not be used, with the reason. */
  skipped: { controller: CgroupController; reason: string }[];
}

/** Creates the container's groups, writes its limits and moves pid into them. */
export function applyContainerLimits(opts: {
  cluster: string;
  podUID: string;
  container: string;
  pid: number;
  resources: ResourceRequirements | undefined;
  mounts?: CgroupMounts;
}): AppliedLimits {
  const settings = cgroupSettings(opts.resources);
  const result: AppliedLimits = { groups: [], skipped: [] };
  if (settings.length === 0) return result;
  const mounts = opts.mounts ?? detectCgroupMounts();
  const parts = groupPath(opts.cluster, opts.podUID, opts.container);
  for (const s of settings) {
    try {
      if (mounts.unified?.controllers.has(s.controller)) {
        // v2: a controller must be enabled in every ancestor's subtree_control.
        let dir = mounts.unified.root;
        for (const part of parts) {
          fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), `+${s.controller}`);
          dir = path.join(dir, part);
          fs.mkdirSync(dir, { recursive: true });
        }
        for (const [file, value] of Object.entries(s.v2)) fs.writeFileSync(path.join(dir, file), value);
        fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(opts.pid));
        result.groups.push(dir);
      } else if (mounts.v1[s.controller]) {
        const dir = path.join(mounts.v1[s.controller]!, ...parts);
        fs.mkdirSync(dir, { recursive: true });
        for (const [file, value] of Object.entries(s.v1)) fs.writeFileSync(path.join(dir, file), value);
        fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(opts.pid));
        result.groups.push(dir);
      } else {
        result.skipped.push({ controller: s.controller, reason: `no cgroup v2 or v1 hierarchy offers the ${s.controller} controller` });
      }
    } catch (err) {
      result.skipped.push({ controller: s.controller, reason: (err as Error).message });
    }
  }
  return result;
}

/** The hierarchies a cluster's groups may be in (all of them when known). */
export function cgroupRoots(mounts: CgroupMounts): string[] {
  const roots = new Set<string>(Object.values(mounts.v1).filter((v): v is string => v !== undefined));
  if (mounts.unified) roots.add(mounts.unified.root);
  for (const h of mounts.hierarchies ?? []) roots.add(h);
  return [...roots];
}

/** rmdir a group tree bottom-up (cgroup directories are removed with rmdir, never rm -r). */
function removeGroupTree(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeGroupTree(path.join(dir, e.name));
  try {
    fs.rmdirSync(dir);
  } catch {
    // still has processes (EBUSY): they are being killed; the next down removes it
  }
}

/** Removes a pod's groups (its processes must have exited). */
export function removePodCgroups(cluster: string, podUID: string, mounts = detectCgroupMounts()): void {
  const [clusterDir, podDir] = groupPath(cluster, podUID, 'x');
  for (const root of cgroupRoots(mounts)) removeGroupTree(path.join(root, clusterDir, podDir));
}

/** Removes every group of the cluster; returns those that remain (processes still inside). */
export function removeClusterCgroups(cluster: string, mounts = detectCgroupMounts()): string[] {
  assertClusterName(cluster);
  const left: string[] = [];
  for (const root of cgroupRoots(mounts)) {
    const dir = path.join(root, `kz-${cluster}`);
    removeGroupTree(dir);
    if (fs.existsSync(dir)) left.push(dir);
  }
  return left;
}

/** The processes in any group of the cluster (cgroup.procs of every group below kz-<cluster>). */
export function clusterCgroupPids(cluster: string, mounts = detectCgroupMounts()): number[] {
  assertClusterName(cluster);
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    try {
      for (const l of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (/^\d+$/.test(l)) pids.add(Number(l));
    } catch {
      // no procs file (not a group)
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  for (const root of cgroupRoots(mounts)) walk(path.join(root, `kz-${cluster}`));
  return [...pids];
}
