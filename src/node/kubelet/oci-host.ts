// What the host gives a container's runtime spec (../oci-runtime-spec.ts): its devices (for
// privileged containers), the runtime's own capabilities, its cgroup layout, its open-file
// limit. Read from /dev, /proc and the cgroup mounts.
import fs from 'node:fs';
import path from 'node:path';
import { capabilitiesOfMask, type LinuxDevice } from '../oci-runtime-spec.js';
import { cgroupMounts } from './container-limits.js';

/** The host's devices for a privileged container (runc's HostDevices: /dev without pts, shm, mqueue, fd). */
export function hostDevices(dir = '/dev'): LinuxDevice[] {
  const out: LinuxDevice[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev'].includes(e.name)) out.push(...hostDevices(p));
      continue;
    }
    if (e.name === 'console' || !(e.isCharacterDevice() || e.isBlockDevice())) continue;
    const st = fs.statSync(p, { bigint: true });
    // glibc's major()/minor() of a dev_t.
    const major = Number(((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & ~0xfffn));
    const minor = Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn));
    out.push({ path: p, type: e.isCharacterDevice() ? 'c' : 'b', major, minor, fileMode: Number(st.mode & 0o777n), uid: Number(st.uid), gid: Number(st.gid) });
  }
  return out;
}

let ownCapabilities: string[] | undefined;
/**
 * The capabilities a privileged container (or add: ALL) gets: the runtime's own, as
 * containerd's cap.Current() (a node agent in a restricted sandbox may lack some).
 */
export function currentCapabilities(): string[] {
  ownCapabilities ??= capabilitiesOfMask(/^CapEff:\s*([0-9a-f]+)$/m.exec(readText('/proc/self/status'))?.[1] ?? '0');
  return ownCapabilities;
}

/** A pure cgroup v2 host (containerd gives containers their own cgroup namespace only there). */
export function isPureCgroupV2(): boolean {
  const m = cgroupMounts();
  return m.unified?.root === '/sys/fs/cgroup' && Object.keys(m.v1).length === 0;
}

/** Whether memory+swap can be limited (containerd's SwapControllerAvailable, v1). */
export function swapLimitAvailable(): boolean {
  const memory = cgroupMounts().v1.memory;
  return memory !== undefined && fs.existsSync(path.join(memory, 'memory.memsw.limit_in_bytes'));
}

/** This process's hard RLIMIT_NOFILE (/proc/self/limits), what containers get as soft and hard limit. */
export function hostNoFileLimit(limits = readText('/proc/self/limits')): number | undefined {
  const m = /^Max open files\s+\S+\s+(\d+)/m.exec(limits);
  return m ? Number(m[1]) : undefined;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
