// The OCI runtime spec (a bundle's config.json) of a container, as containerd's CRI plugin
// generates it for the kubelet (oci.populateDefaultUnixSpec + defaultMounts, then
// pkg/cri containerSpec): pure, so every rule is unit-tested.
//
//   process   argv, env, cwd, user (uid, gid, additional gids), terminal, RLIMIT_NOFILE,
//             noNewPrivileges = allowPrivilegeEscalation: false, capabilities: Docker's and
//             containerd's default set (no CAP_SYS_ADMIN) with securityContext add/drop
//             (ALL first, then single names), every capability when privileged;
//   root      the bundle's rootfs (an overlay the launcher mounts), read-only for
//             readOnlyRootFilesystem;
//   mounts    /proc, /dev (tmpfs) + pts + shm + mqueue, /sys read-only, /sys/fs/cgroup
//             read-only, the pod's /etc/hosts, /etc/hostname, /etc/resolv.conf, the
//             volumes (subPath already resolved), sorted so no mount hides a deeper one;
//   linux     namespaces: the pod sandbox's network namespace joined by path, own pid
//             (or another container's, joined by path, for debug containers), ipc, uts,
//             mount, and cgroup on pure cgroup v2 hosts; containerd's masked and read-only
//             /proc and /sys paths; devices: all denied but runc's defaults (all of the
//             host's when privileged); resources: memory, CPU shares/quota/period, pids, in
//             the cgroup /kz-<cluster>/pod<uid>/<container> that runc creates in every
//             hierarchy and `kanzen down` finds by that name.
import path from 'node:path';
import type { Container, Pod } from '../api/types.js';
import { containerCgroupPath, containerResourceLimits } from './container-cgroup.js';
import type { ProcessUser } from './kubelet/oci-process.js';
import { effectiveSecurityContext } from './kubelet/security-context.js';
import type { ContainerMount } from './sandbox-exec.js';

/** The OCI runtime-spec version runc 1.1 implements. */
export const ociVersion = '1.0.2-dev';

export interface SpecMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface LinuxDevice {
  path: string;
  type: 'c' | 'b' | 'p';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface LinuxCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
}

export interface RuntimeSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: LinuxCapabilities;
    rlimits?: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: SpecMount[];
  linux: {
    namespaces: { type: string; path?: string }[];
    cgroupsPath: string;
    resources: {
      devices: { allow: boolean; access: string }[];
      memory?: { limit: number; swap?: number };
      cpu?: { shares?: number; quota?: number; period?: number };
      pids?: { limit: number };
    };
    devices?: LinuxDevice[];
    maskedPaths: string[];
    readonlyPaths: string[];
  };
}

/** Docker's and containerd's default capability set (oci defaultUnixCaps). */
export const defaultCapabilities = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Linux's capabilities by number (capability.h), for "every capability this kernel has". */
const capabilityNames = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Every capability up to the kernel's last one (/proc/sys/kernel/cap_last_cap). */
export function capabilitiesUpTo(lastCap: number): string[] {
  return capabilityNames.slice(0, Math.min(lastCap, capabilityNames.length - 1) + 1);
}

/** The capabilities of a /proc/<pid>/status Cap* mask (hex). */
export function capabilitiesOfMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return capabilityNames.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** The capability set as a /proc/<pid>/status Cap* mask (hex, 16 digits). */
export function capabilityMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const bit = capabilityNames.indexOf(c);
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}

/** Kubernetes' default masked and read-only paths (securitycontext defaultMaskedPaths, in sync with containerd's). */
export const defaultMaskedPaths = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const defaultReadonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];


/**
 * CRI WithCapabilities: add ALL, drop ALL, then the single names (given without CAP_,
 * any case). A privileged container has them all.
 */
export function containerCapabilities(sc: Container['securityContext'], allCaps: readonly string[]): string[] {
  if (sc?.privileged) return [...allCaps];
  let caps = [...defaultCapabilities];
  const add = sc?.capabilities?.add ?? [];
  const drop = sc?.capabilities?.drop ?? [];
  const isAll = (c: string) => c.toUpperCase() === 'ALL';
  if (add.some(isAll)) caps = [...allCaps];
  if (drop.some(isAll)) caps = [];
  for (const c of add.filter((x) => !isAll(x)).map((x) => `CAP_${x.toUpperCase()}`)) if (!caps.includes(c)) caps.push(c);
  const dropped = new Set(drop.filter((x) => !isAll(x)).map((x) => `CAP_${x.toUpperCase()}`));
  return caps.filter((c) => !dropped.has(c));
}

/** containerd's defaultMounts without /run (CRI WithoutRunMount), plus the read-only cgroup mount. */
function systemMounts(privileged: boolean): SpecMount[] {
  const ro = privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ...ro] },
  ];
}

/** A CRI bind mount (WithMounts): rbind, rprivate, ro or rw. */
function bindMount(m: ContainerMount): SpecMount {
  // A copy-on-write host path (the node's root under kubectl debug node/…): seen, never written.
  if (m.overlay) {
    return { destination: m.containerPath, type: 'overlay', source: 'overlay', options: [`lowerdir=${m.hostPath}`, `upperdir=${m.overlay.upper}`, `workdir=${m.overlay.work}`] };
  }
  return { destination: m.containerPath, type: 'bind', source: m.hostPath, options: ['rbind', 'rprivate', m.readOnly ? 'ro' : 'rw'] };
}

const depth = (p: string) => path.posix.normalize(p).split('/').filter(Boolean).length;

/**
 * The mounts in order: system mounts not overridden by a supplied one (a volume at /dev
 * replaces everything under /dev), then the supplied ones sorted by depth (orderedMounts),
 * so /data is mounted before /data/cache.
 */
export function specMounts(supplied: readonly ContainerMount[], privileged: boolean): SpecMount[] {
  const dests = new Set(supplied.map((m) => path.posix.normalize(m.containerPath)));
  const system = systemMounts(privileged).filter((m) => !dests.has(m.destination) && !(dests.has('/dev') && m.destination.startsWith('/dev/')));
  const sorted = supplied.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.containerPath) - depth(b.m.containerPath) || a.i - b.i);
  return [...system, ...sorted.map(({ m }) => bindMount(m))];
}

export interface RuntimeSpecOptions {
  cluster: string;
  podUID: string;
  /** For the pod-level securityContext. */
  pod?: Pick<Pod, 'spec'>;
  /** name, securityContext, resources. */
  container: Pick<Container, 'name' | 'securityContext' | 'resources'>;
  process: {
    argv: string[];
    /** In order, PATH and HOSTNAME included (sandbox-exec containerEnv). */
    env: [string, string][];
    cwd: string;
    user: ProcessUser;
    terminal?: boolean;
  };
  /** The root filesystem, absolute or relative to the bundle. */
  rootfs: string;
  hostname: string;
  /** The pod sandbox's network namespace. */
  netnsPath: string;
  /** The host PID of a container whose PID namespace this one joins (ephemeral debug containers). */
  sharePidWith?: number;
  /** The pod's files, bound over /etc/hosts, /etc/hostname and /etc/resolv.conf unless a volume takes the path. */
  etc: { hosts: string; hostname: string; resolvConf: string };
  /** The container's volumes. */
  mounts: ContainerMount[];
  /** A pure cgroup v2 host: the container gets its own cgroup namespace (containerd does so only there). */
  cgroupV2?: boolean;
  /** Whether memory+swap can be limited (containerd then sets swap = limit: no swapping). */
  swapLimit?: boolean;
  /** Every capability of this kernel (privileged, add ALL). */
  allCapabilities: string[];
  /** The host's devices, given to privileged containers. */
  hostDevices?: LinuxDevice[];
  /** The pod's process limit (kubelet podPidsLimit), if any. */
  pidsLimit?: number;
  /**
   * RLIMIT_NOFILE, soft and hard. CRI sets none, so containers inherit containerd's (its
   * systemd unit: LimitNOFILE=infinity, soft = hard); the launcher passes the node's hard limit.
   */
  noFileLimit?: number;
}

export function runtimeSpec(o: RuntimeSpecOptions): RuntimeSpec {
  const sc = effectiveSecurityContext(o.pod, o.container);
  const privileged = sc.privileged === true;
  const readOnlyRoot = sc.readOnlyRootFilesystem === true;
  const caps = containerCapabilities(sc, o.allCapabilities);
  const supplied = [...o.mounts];
  const taken = new Set(supplied.map((m) => path.posix.normalize(m.containerPath)));
  // The pod's files are read-only with a read-only root (CRI containerMounts).
  for (const [file, target] of [
    [o.etc.hostname, '/etc/hostname'],
    [o.etc.hosts, '/etc/hosts'],
    [o.etc.resolvConf, '/etc/resolv.conf'],
  ] as const) {
    if (!taken.has(target)) supplied.push({ hostPath: file, containerPath: target, readOnly: readOnlyRoot });
  }
  const limits = containerResourceLimits(o.container.resources);
  const resources: RuntimeSpec['linux']['resources'] = { devices: [{ allow: privileged, access: 'rwm' }] };
  if (limits.memoryLimitBytes !== undefined) resources.memory = { limit: limits.memoryLimitBytes, ...(o.swapLimit ? { swap: limits.memoryLimitBytes } : {}) };
  if (limits.cpuShares !== undefined) resources.cpu = { shares: limits.cpuShares, ...(limits.cpuQuota !== undefined ? { quota: limits.cpuQuota, period: limits.cpuPeriod } : {}) };
  if (o.pidsLimit !== undefined && o.pidsLimit > 0) resources.pids = { limit: o.pidsLimit };
  const namespaces: RuntimeSpec['linux']['namespaces'] = [
    o.sharePidWith !== undefined ? { type: 'pid', path: `/proc/${o.sharePidWith}/ns/pid` } : { type: 'pid' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
    { type: 'network', path: o.netnsPath },
  ];
  if (o.cgroupV2 && !privileged) namespaces.push({ type: 'cgroup' });
  // procMount: Unmasked turns the /proc masking off, as privileged does.
  const masked = privileged || sc.procMount === 'Unmasked';
  const { uid, gid, additionalGids } = o.process.user;
  return {
    ociVersion,
    process: {
      terminal: o.process.terminal === true,
      user: { uid, gid, ...(additionalGids.length > 0 ? { additionalGids } : {}) },
      args: o.process.argv,
      env: o.process.env.map(([k, v]) => `${k}=${v}`),
      cwd: o.process.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      ...(o.noFileLimit !== undefined ? { rlimits: [{ type: 'RLIMIT_NOFILE', hard: o.noFileLimit, soft: o.noFileLimit }] } : {}),
      noNewPrivileges: sc.allowPrivilegeEscalation === false,
    },
    root: { path: o.rootfs, readonly: readOnlyRoot },
    hostname: o.hostname,
    mounts: specMounts(supplied, privileged),
    linux: {
      namespaces,
      cgroupsPath: containerCgroupPath(o.cluster, o.podUID, o.container.name),
      resources,
      ...(privileged && o.hostDevices ? { devices: o.hostDevices } : {}),
      maskedPaths: masked ? [] : [...defaultMaskedPaths],
      readonlyPaths: masked ? [] : [...defaultReadonlyPaths],
    },
  };
}
