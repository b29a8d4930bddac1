// How a container process starts inside its pod sandbox (the runtime's CreateContainer +
// StartContainer) and how `kubectl exec` joins it.
//
// Start:  nsenter --net=/run/netns/<pod netns>
//           unshare --mount --uts --ipc --pid --fork --kill-child --propagation slave
//             /bin/sh -c <generated setup script>
//
// A container that shares another's PID namespace (an ephemeral container's target, or a
// hostPID pod and the node) enters it with nsenter --pid=/proc/<pid>/ns/pid (run by
// unshare, in place of /bin/sh) instead of unsharing one; a hostIPC pod keeps the node's
// IPC namespace. Such a container's process is not its namespace's init, so nothing kills
// what it leaves behind when it ends: the processes still in its mount namespace (its own,
// whatever their PIDs) are killed then.
//
// The setup script (POSIX sh, every value single-quoted, so paths with spaces are fine) runs
// as pid 1 of the new PID namespace, in a mount namespace of its own:
//   1. mounts the container's root: an overlay whose lower layer is the image's root (a shell
//      image's built root, ../images/shell-rootfs.ts) or else the host's /, and whose
//      upper/work layers are in <pod dir>/containers/<name>/. Every write, every created
//      mount point, lands in the pod directory. Nothing in the host's real filesystem
//      outside the cluster home is ever created or modified.
//   2. gives it fresh /proc (the new PID namespace), /sys (the pod's network namespace), a
//      minimal /dev, an empty /tmp;
//   3. binds the pod's resolv.conf, hosts and hostname over /etc/*, overlays the image's
//      writable paths (e.g. /usr/share/nginx/html seeded from the image catalog), binds the
//      volumes at their mountPaths (read-only when asked), and host paths the program
//      itself needs (kanzen's own install directory for built-in images) read-only;
//   4. sets the UTS hostname, reports its host PID on fd 3, chroots, checks the command
//      exists (runc's "executable file not found in $PATH"), says "ok" on fd 3 and execs the
//      container's argv with exactly its env (env -i), in its workingDir.
// The process the kubelet signals is that pid-1 process (the container's init, as with
// runc): SIGTERM reaches it only if it handles SIGTERM, SIGKILL always, exactly like a
// container's PID 1. When it dies the kernel kills the rest of its PID namespace.
//
// Why `--propagation slave` (not private): the pod's mount namespace then still receives
// unmounts from the host, so `ip netns del` of a namespace handle in /run/netns is not kept
// alive by a stale copy inside every pod's mount namespace. Mounts made inside the pod
// never propagate out.
import { spawn, type ChildProcess, type StdioNull, type StdioPipe } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IMAGE_SCRIPT_ARGV } from '../images/shell-rootfs.js';
import type { PodSandbox } from './pod-sandbox.js';
import { readMountPoints } from './cluster-network.js';

/** containerd's default PATH (oci.WithDefaultPathEnv) for containers whose env has none. */
export const defaultContainerPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type StdioTarget = StdioPipe | StdioNull | number;

export interface ContainerMount {
  /** A host file or directory: a volume's folder in the pod directory, a hostPath, a subPath. */
  hostPath: string;
  /** The absolute path inside the container. */
  containerPath: string;
  readOnly?: boolean;
  /** Shown through an overlay whose upper layer is in the container's folder: the host's files are seen, never written. */
  copyOnWrite?: boolean;
  /** For a copyOnWrite mount under runc: the overlay's upper and work directories (the launcher makes them). */
  overlay?: { upper: string; work: string };
}

/** An image path the container may write to without touching the host (an overlay). */
export interface ImagePath {
  /** Absolute path inside the container, e.g. /usr/share/nginx/html. */
  path: string;
  /** The image's content for that path (top layer of the overlay's lower layers). */
  seedDir?: string;
  /** Also show the host's own files at that path below the seed (default: hidden). */
  includeHost?: boolean;
}

export interface StartContainerOptions {
  sandbox: Pick<PodSandbox, 'podDir' | 'netnsPath' | 'hostname' | 'resolvConfPath' | 'hostsPath' | 'hostnamePath'>;
  /** The container's name (its folder under <pod dir>/containers/). */
  name: string;
  /** command + args, already resolved by the kubelet (argv[0] looked up in the container's PATH). */
  argv: string[];
  /** The container's environment, in order; PATH and HOSTNAME are added as containerd does when absent. */
  env?: [string, string][];
  workingDir?: string;
  mounts?: ContainerMount[];
  imagePaths?: ImagePath[];
  /** Host directories bound read-only at the same path (for programs that live outside the root filesystem). */
  hostPaths?: string[];
  /** The image's root filesystem, the overlay's lower layer (default: the host's /). */
  rootDir?: string;
  stdin?: StdioTarget;
  stdout?: StdioTarget;
  stderr?: StdioTarget;
  /** Run the command on a pseudo-terminal (util-linux script(1) inside the container), for `tty: true`. */
  tty?: boolean;
  /** Join the PID namespace of this host PID instead of a new one (its /proc then shows that namespace's processes). */
  sharePidWith?: number;
  /** Stay in the IPC namespace the runtime runs in (a hostIPC pod). */
  hostIPC?: boolean;
  /** Keep the previous run's writable layer (default: a fresh one, as a restarted container gets). */
  keepWritableLayer?: boolean;
  /** How long the setup may take before it is abandoned (default 10s). */
  setupTimeoutMs?: number;
}

export interface ContainerExit {
  /** The container's exit code; 128+n when it was killed by signal n. */
  exitCode: number;
  signal: NodeJS.Signals | null;
}

export interface ContainerProcess {
  /** The container's init process as seen from the host: signal this one. */
  pid: number;
  /** The wrapper (unshare) process; it exits when the container has exited. */
  process: ChildProcess;
  /** The container's stdio streams, for the targets given as 'pipe'. */
  stdin: NodeJS.WritableStream | null;
  stdout: NodeJS.ReadableStream | null;
  stderr: NodeJS.ReadableStream | null;
  /** Resolves when the container has exited. */
  exited: Promise<ContainerExit>;
}

/** Setup failed before the container's command ran (upstream: reason StartError). */
export class ContainerStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ContainerStartError';
  }
}

// ---------------------------------------------------------------------------------------
// Script generation (pure)

/** POSIX single-quoting: safe for any byte string but NUL. */
export function shellQuote(s: string): string {
  if (s.includes('\0')) throw new Error('NUL byte in shell argument');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function containerPath(p: string): string {
  if (!p.startsWith('/')) throw new Error(`container path ${JSON.stringify(p)} must be absolute`);
  const n = path.posix.normalize(p);
  return n.length > 1 ? n.replace(/\/$/, '') : n;
}

/** overlayfs splits its options on "," and lowerdir on ":"; such paths cannot be layers. */
function overlayPath(p: string): string {
  if (/[,:\\]/.test(p)) throw new Error(`path ${JSON.stringify(p)} contains , : or \\ and cannot be an overlay layer`);
  return p;
}

export interface ContainerDirs {
  dir: string;
  rootfs: string;
  upper: string;
  work: string;
}

export function containerDirs(podDir: string, name: string): ContainerDirs {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new Error(`invalid container name ${JSON.stringify(name)}`);
  const dir = path.join(podDir, 'containers', name);
  return { dir, rootfs: path.join(dir, 'rootfs'), upper: path.join(dir, 'upper'), work: path.join(dir, 'work') };
}

interface ResolvedMount {
  source: string;
  target: string;
  kind: 'file' | 'dir';
  readOnly: boolean;
}

export interface SetupPlan {
  dirs: ContainerDirs;
  /** The overlay's lower layer: the image's root, or the host's /. */
  rootDir: string;
  hostname: string;
  mounts: ResolvedMount[];
  imageOverlays: { target: string; lowers: string[]; upper: string; work: string }[];
  workingDir: string;
  argv: string[];
  env: [string, string][];
  tty?: boolean;
}

/**
 * What the container execs: argv, or for a tty container script(1) running it on a new
 * pty (-q no banner, -f flush, -e its exit code, -c the command, typescript to /dev/null).
 * A shell image carries its own script(1) off PATH (`script`: IMAGE_SCRIPT_ARGV).
 */
export function containerExecArgv(argv: readonly string[], tty?: boolean, script: readonly string[] = ['script']): string[] {
  return tty ? [...script, '-qfec', `exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'] : [...argv];
}

/** script(1) as a container with that root finds it: the image's own, or the host's on PATH. */
function scriptFor(rootDir: string): string[] {
  return rootDir === '/' ? ['script'] : IMAGE_SCRIPT_ARGV;
}

/**
 * A path as the container sees it, symlinks resolved within the container's root (the
 * overlay's lower layer, `root`): resolving them here keeps `mkdir -p "$R"/var/run/x` from
 * following the absolute link /var/run → /run out of "$R" and into the host's own /run.
 * Components past the first missing one are kept as given.
 */
export function resolveContainerPath(p: string, root = '/'): string {
  const rest = path.posix.resolve('/', p).split('/').filter(Boolean);
  let resolved = '/';
  // The kernel's limit on symlinks followed in one lookup (MAXSYMLINKS).
  let hops = 40;
  while (rest.length > 0) {
    const next = path.posix.join(resolved, rest.shift()!);
    let link: string | undefined;
    try {
      if (fs.lstatSync(path.join(root, next)).isSymbolicLink()) link = fs.readlinkSync(path.join(root, next));
    } catch {
      return path.posix.join(next, ...rest);
    }
    if (link === undefined || hops-- <= 0) {
      resolved = next;
      continue;
    }
    rest.unshift(...link.split('/').filter(Boolean));
    if (link.startsWith('/')) resolved = '/';
  }
  return resolved;
}

/** The in-namespace setup as a POSIX sh script; argv and env are passed as literals to stage two. */
export function setupScript(plan: SetupPlan): string {
  const q = shellQuote;
  const at = (target: string) => `"$R"${q(resolveContainerPath(target, plan.rootDir))}`;
  const lines: string[] = [
    'set -eu',
    `R=${q(plan.dirs.rootfs)}`,
    '{',
    `mount -t overlay overlay -o ${q(`lowerdir=${overlayPath(plan.rootDir)},upperdir=${overlayPath(plan.dirs.upper)},workdir=${overlayPath(plan.dirs.work)}`)} "$R"`,
    'mount -t proc proc "$R/proc"',
    'mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys"',
    'mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"',
    'for d in null zero full random urandom tty; do : > "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done',
    'mkdir "$R/dev/pts" "$R/dev/shm"',
    'mount --bind /dev/pts "$R/dev/pts"',
    'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"',
    'ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"; ln -s pts/ptmx "$R/dev/ptmx"',
    'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"',
  ];
  // Image paths first, binds after: an image's writable /tmp must not hide a volume or
  // the kanzen install when either lives under /tmp.
  for (const o of plan.imageOverlays) {
    lines.push(`mkdir -p ${at(o.target)}`);
    const opts = `lowerdir=${o.lowers.map(overlayPath).join(':')},upperdir=${overlayPath(o.upper)},workdir=${overlayPath(o.work)}`;
    lines.push(`mount -t overlay overlay -o ${q(opts)} ${at(o.target)}`);
  }
  for (const m of plan.mounts) {
    const t = at(m.target);
    if (m.kind === 'dir') {
      lines.push(`mkdir -p ${t}`);
    } else {
      // A symlinked file in the image (e.g. resolv.conf → systemd's stub) is replaced in the
      // upper layer, not followed to somewhere that does not exist in the container.
      lines.push(`mkdir -p "$(dirname -- ${t})"`, `if [ -L ${t} ]; then rm -f ${t}; fi`, `[ -e ${t} ] || : > ${t}`);
    }
    lines.push(`mount --rbind ${q(m.source)} ${t}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${t}`);
  }
  lines.push(`mkdir -p ${at(plan.workingDir)}`);
  lines.push(`printf '%s' ${q(plan.hostname)} > /proc/sys/kernel/hostname`);
  // A builtin's redirection is opened by the shell itself, and this /proc is still the
  // host's: /proc/self is this process's PID in the host's PID namespace.
  lines.push('read -r hostpid rest < /proc/self/stat', `printf 'pid %s\\n' "$hostpid" >&3`);
  lines.push('} 2>&3');
  const stage2 = [
    'wd=$1; PATH=$2; c=$3; shift 3',
    `cd "$wd" || { printf 'failed to change to working directory %s\\n' "$wd" >&3; exit 128; }`,
    'case $c in',
    `  */*) [ -f "$c" ] && [ -x "$c" ] || { printf 'exec: "%s": stat %s: no such file or directory\\n' "$c" "$c" >&3; exit 127; } ;;`,
    `  *) command -v "$c" >/dev/null 2>&1 || { printf 'exec: "%s": executable file not found in $PATH\\n' "$c" >&3; exit 127; } ;;`,
    'esac',
    `printf 'ok\\n' >&3`,
    // fd 4 is the container's stderr; fd 2 stays the wrapper's, so unshare's own messages
    // never end up in the container's log.
    'exec 3>&- 2>&4 4>&-',
    'exec env -i -- "$@"',
  ].join('\n');
  const pathEnv = plan.env.find(([k]) => k === 'PATH')?.[1] ?? defaultContainerPath;
  const envArgs = plan.env.map(([k, v]) => q(`${k}=${v}`));
  lines.push(
    ['exec chroot "$R" /bin/sh -c', q(stage2), 'kz-container', q(plan.workingDir), q(pathEnv), q(plan.argv[0]), ...envArgs, ...containerExecArgv(plan.argv, plan.tty, scriptFor(plan.rootDir)).map(q)].join(' '),
  );
  return lines.join('\n') + '\n';
}

/** Adds what containerd adds to a container's env: PATH when the image has none, HOSTNAME. */
export function containerEnv(env: readonly [string, string][], hostname: string): [string, string][] {
  const out: [string, string][] = [];
  if (!env.some(([k]) => k === 'PATH')) out.push(['PATH', defaultContainerPath]);
  if (!env.some(([k]) => k === 'HOSTNAME')) out.push(['HOSTNAME', hostname]);
  for (const [k, v] of env) {
    if (k === '' || k.includes('=')) throw new Error(`invalid environment variable name ${JSON.stringify(k)}`);
    out.push([k, v]);
  }
  return out;
}

/** Builds the setup plan: which host paths go where, in mount order. */
export function planContainer(opts: StartContainerOptions): SetupPlan {
  if (opts.argv.length === 0) throw new Error('container has no command');
  if (opts.argv[0].includes('=')) throw new Error(`command ${JSON.stringify(opts.argv[0])} contains "=" (env(1) would read it as a variable)`);
  const dirs = containerDirs(opts.sandbox.podDir, opts.name);
  const rootDir = opts.rootDir ? path.resolve(opts.rootDir) : '/';
  const kindOf = (p: string): 'file' | 'dir' => (fs.statSync(p).isDirectory() ? 'dir' : 'file');
  const mounts: ResolvedMount[] = [];
  for (const hp of opts.hostPaths ?? []) {
    const abs = path.resolve(hp);
    mounts.push({ source: abs, target: containerPath(abs), kind: kindOf(abs), readOnly: true });
  }
  for (const [file, target] of [
    [opts.sandbox.resolvConfPath, '/etc/resolv.conf'],
    [opts.sandbox.hostsPath, '/etc/hosts'],
    [opts.sandbox.hostnamePath, '/etc/hostname'],
  ] as const) {
    mounts.push({ source: file, target, kind: 'file', readOnly: false });
  }
  const imageOverlays = (opts.imagePaths ?? []).map((ip, i) => {
    const target = containerPath(ip.path);
    const layerDir = path.join(dirs.dir, 'image-paths', String(i));
    const lowers: string[] = [];
    if (ip.seedDir) lowers.push(path.resolve(ip.seedDir));
    if (ip.includeHost && fs.existsSync(path.join(rootDir, target))) lowers.push(path.join(rootDir, target));
    if (lowers.length === 0) lowers.push(path.join(layerDir, 'empty'));
    return { target, lowers, upper: path.join(layerDir, 'upper'), work: path.join(layerDir, 'work') };
  });
  (opts.mounts ?? []).forEach((m, i) => {
    if (!m.copyOnWrite) return;
    const layerDir = path.join(dirs.dir, 'host-paths', String(i));
    imageOverlays.push({ target: containerPath(m.containerPath), lowers: [path.resolve(m.hostPath)], upper: path.join(layerDir, 'upper'), work: path.join(layerDir, 'work') });
  });
  // Volumes last: a volume mounted inside an image path shows over it, as in a container.
  for (const m of opts.mounts ?? []) {
    if (m.copyOnWrite) continue;
    mounts.push({ source: path.resolve(m.hostPath), target: containerPath(m.containerPath), kind: kindOf(m.hostPath), readOnly: m.readOnly === true });
  }
  return {
    dirs,
    rootDir,
    hostname: opts.sandbox.hostname,
    mounts,
    imageOverlays,
    workingDir: containerPath(opts.workingDir || '/'),
    argv: opts.argv,
    env: containerEnv(opts.env ?? [], opts.sandbox.hostname),
    ...(opts.tty ? { tty: true } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Starting

function prepareContainerDirs(plan: SetupPlan, keepWritableLayer: boolean): void {
  const mounted = readMountPoints().filter((m) => m.startsWith(plan.dirs.dir + '/') || m === plan.dirs.dir);
  if (mounted.length > 0) throw new Error(`container directory ${plan.dirs.dir} has mounts in the host namespace: ${mounted.join(', ')}`);
  if (!keepWritableLayer) fs.rmSync(plan.dirs.dir, { recursive: true, force: true });
  for (const d of [plan.dirs.rootfs, plan.dirs.upper, plan.dirs.work]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  for (const o of plan.imageOverlays) {
    for (const d of [o.upper, o.work, ...o.lowers.filter((l) => l.startsWith(plan.dirs.dir + '/'))]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  }
}

/**
 * The container's exit as its wrapper reports it. unshare --fork re-raises the signal that
 * killed its child on itself, except SIGKILL (util-linux 2.38 then fails with "sigprocmask
 * unblock failed" and exits 1). A container's PID 1 can only die by a signal it cannot
 * handle from outside, i.e. SIGKILL, so that message means exit 137.
 */
export function wrapperExit(code: number | null, signal: NodeJS.Signals | null, wrapperStderr: string): ContainerExit {
  if (signal) return { exitCode: 128 + (os.constants.signals[signal] ?? 0), signal };
  if (code === 1 && /sigprocmask unblock failed/.test(wrapperStderr)) return { exitCode: 137, signal: 'SIGKILL' };
  return { exitCode: code ?? 0, signal: null };
}

/**
 * The wrapper's argv: nsenter into the pod's network namespace, unshare the container's
 * own. A shared PID namespace is entered last, by an nsenter inside the container's mount
 * namespace, so that only the container's own process shows in it (not the wrappers).
 */
export function wrapperArgs(opts: Pick<StartContainerOptions, 'sandbox' | 'sharePidWith' | 'hostIPC'>, script: string): string[] {
  const share = opts.sharePidWith;
  if (share !== undefined && (!Number.isInteger(share) || share <= 0)) throw new Error(`invalid pid ${share} to share a PID namespace with`);
  return [
    `--net=${opts.sandbox.netnsPath}`,
    '--',
    'unshare',
    '--mount',
    '--uts',
    ...(opts.hostIPC ? [] : ['--ipc']),
    ...(share !== undefined ? [] : ['--pid']),
    '--fork',
    '--kill-child',
    '--propagation',
    'slave',
    '--',
    ...(share !== undefined ? ['nsenter', `--pid=/proc/${share}/ns/pid`, '--'] : []),
    '/bin/sh',
    '-c',
    script,
    'kz-sandbox',
  ];
}

/** The namespace a process is in, as its /proc link reads (mnt:[4026532…]); undefined once it is gone. */
function namespaceOf(pid: number, kind: 'mnt'): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/**
 * SIGKILLs every process in the mount namespace `ns` (a container whose process was not its
 * PID namespace's init: what it left running). Repeated until none is left, as a
 * process may fork while the first pass runs.
 */
export function killMountNamespace(ns: string): number {
  let killed = 0;
  for (let pass = 0; pass < 10; pass++) {
    let found = 0;
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || namespaceOf(Number(entry), 'mnt') !== ns) continue;
      found++;
      try {
        process.kill(Number(entry), 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    if (found === 0) break;
  }
  return killed;
}

/**
 * Starts a container inside its pod sandbox and resolves once its command is about to run
 * (setup done, command found), with the container's host PID. Rejects with
 * ContainerStartError when setup or the command lookup fails.
 */
export async function startContainer(opts: StartContainerOptions): Promise<ContainerProcess> {
  const plan = planContainer(opts);
  prepareContainerDirs(plan, opts.keepWritableLayer === true);
  const script = setupScript(plan);
  const child = spawn(
    'nsenter',
    wrapperArgs(opts, script),
    {
      // 0/1: the container's; 2: the wrapper's own; 3: setup status; 4: the container's stderr.
      stdio: [opts.stdin ?? 'ignore', opts.stdout ?? 'ignore', 'pipe', 'pipe', opts.stderr ?? 'ignore'],
      // Its own process group, like a shim: a signal to the agent's group does not reach containers.
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    },
  );
  // Set once the container runs, when it is not its PID namespace's init: on the wrapper's
  // exit, what it left running is killed (before 'close', which waits for their stdio).
  let leftoversIn: string | undefined;
  child.once('exit', () => {
    if (leftoversIn) killMountNamespace(leftoversIn);
  });
  let wrapperStderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (wrapperStderr.length < 8192) wrapperStderr += chunk;
  });
  // 'close', not 'exit': the wrapper's stderr must be fully read to interpret its status.
  const exited = new Promise<ContainerExit>((resolve) => child.once('close', (code, signal) => resolve(wrapperExit(code, signal, wrapperStderr))));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);
  const status = child.stdio[3] as NodeJS.ReadableStream;
  let text = '';
  let pid = 0;
  const ready = new Promise<number>((resolve, reject) => {
    status.setEncoding('utf8');
    status.on('data', (chunk: string) => {
      text += chunk;
      const m = /^pid (\d+)$/m.exec(text);
      if (m) pid = Number(m[1]);
      if (/^ok$/m.test(text) && pid > 0) resolve(pid);
    });
    void exited.then((e) => {
      const msg = text.replace(/^pid \d+\n/m, '').trim() || wrapperStderr.trim() || `container setup exited with code ${e.exitCode}`;
      reject(new ContainerStartError(msg, e.exitCode));
    });
  });
  const timeoutMs = opts.setupTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ContainerStartError(`container setup did not finish in ${timeoutMs}ms`, -1)), timeoutMs);
  });
  try {
    const containerPid = await Promise.race([ready, spawnError, timeout]);
    // Not its PID namespace's init: its leftovers are found by its mount namespace.
    const ownNs = opts.sharePidWith !== undefined ? namespaceOf(containerPid, 'mnt') : undefined;
    if (ownNs !== namespaceOf(process.pid, 'mnt')) leftoversIn = ownNs;
    // Ended before we knew its namespace: only its leftovers are still there.
    if (leftoversIn && child.exitCode !== null) killMountNamespace(leftoversIn);
    return {
      pid: containerPid,
      process: child,
      exited,
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: (child.stdio[4] as NodeJS.ReadableStream | null) ?? null,
    };
  } catch (err) {
    // SIGKILL of the wrapper kills the container too (--kill-child).
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
    // Our end of the status pipe; the wrapper keeps its copy until it exits.
    (status as NodeJS.ReadableStream & { destroy(): void }).destroy();
  }
}

// ---------------------------------------------------------------------------------------
// exec

export interface ExecOptions {
  /** argv of script(1) in the container (default: `script` on its PATH). */
  script?: readonly string[];
  /** Allocate a terminal (util-linux script(1) inside the container). */
  tty?: boolean;
  /** Give the command a stdin pipe (otherwise /dev/null). */
  stdin?: boolean;
  /** The container's env (exec'd processes get the container's environment, as with the CRI). */
  env?: [string, string][];
}

/** The nsenter argv that runs `argv` in a running container's namespaces, root and working directory. */
export function execArgs(containerPid: number, argv: readonly string[], opts: ExecOptions = {}): string[] {
  if (!Number.isInteger(containerPid) || containerPid <= 0) throw new Error(`invalid container pid ${containerPid}`);
  if (argv.length === 0) throw new Error('exec needs a command');
  const env = [...(opts.env ?? [])];
  if (opts.tty && !env.some(([k]) => k === 'TERM')) env.push(['TERM', 'xterm']);
  const command = ['env', '-i', '--', ...env.map(([k, v]) => `${k}=${v}`), ...argv];
  const inner = opts.tty ? [...(opts.script ?? ['script']), '-q', '-e', '-c', command.map(shellQuote).join(' '), '/dev/null'] : command;
  return ['--target', String(containerPid), '--mount', '--uts', '--ipc', '--net', '--pid', '--root', '--wd', '--', ...inner];
}

/** Runs a command in a running container (kubectl exec); the caller streams its stdio. */
export function execInSandbox(containerPid: number, argv: readonly string[], opts: ExecOptions = {}): ChildProcess {
  // A shell image's container has its own script(1) (its root has no other).
  const script = opts.tty && fs.existsSync(`/proc/${containerPid}/root${IMAGE_SCRIPT_ARGV[IMAGE_SCRIPT_ARGV.length - 1]}`) ? IMAGE_SCRIPT_ARGV : undefined;
  return spawn('nsenter', execArgs(containerPid, argv, { ...opts, ...(script ? { script } : {}) }), {
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', SHELL: '/bin/sh' },
  });
}
