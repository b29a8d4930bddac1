// Containers of stored OCI images, run by runc (../runc.ts) from a generated runtime spec
// (../oci-runtime-spec.ts). Each container instance is a bundle in its folder of the pod
// directory, <pod dir>/containers/<name>/:
//   config.json       the runtime spec
//   layers/<i>        short links to the image's unpacked layers (top first): the overlay's
//                     option string stays short whatever the home's path and layer count
//   upper/, work/     the container's writable layer; rootfs/ the overlay's mount point
//   pid, exit         the container's host PID (runc --pid-file) and runc's exit code
//   runc.log          runc's JSON log (the StartError message comes from it)
//   runc.json         what a restarted kubelet needs to adopt the instance
//
// Start: unshare --mount --propagation slave -- sh -c '<mount the overlay; runc run; record
// the exit code>'. The overlay exists only in that private mount namespace, which dies with
// the container: nothing lingers in the host's mount table when the container or every
// kanzen process dies. (slave, not private: unmounts of /run/netns handles still reach it,
// so a deleted pod's namespace is not kept alive by a copy here.) `runc run` stays in the
// foreground, the container's parent, in a process group of its own; --keep leaves the
// stopped container, so its memory group's OOM count is read before `runc delete` removes
// the group: reason OOMKilled as containerd reports it. A tty container runs runc's terminal
// mode under the host's script(1), which gives runc the controlling terminal it needs.
//
// runc manages these containers' cgroups (limits from the spec, in the groups named after
// the cluster, pod and container that container-cgroup.ts names and cleans up); the
// built-in stand-ins keep sandbox-exec and container-limits.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../../api/types.js';
import { createLogger, type Logger } from '../../util/logger.js';
import { isProcessAlive, readMountPoints } from '../cluster-network.js';
import { isOciLaunch, type OciLaunch } from '../images/oci-launch.js';
import { runtimeSpec, type RuntimeSpec } from '../oci-runtime-spec.js';
import type { PodSandbox } from '../pod-sandbox.js';
import { containerdStartError, Runc, runcLogError, runcRoot, runtimeDir } from '../runc.js';
import { ContainerStartError, containerDirs, containerEnv, shellQuote, type ContainerDirs } from '../sandbox-exec.js';
import { openAppend, processStartTime, type ContainerExec, type ContainerExecTarget, type ExitInfo, type LaunchedProcess, type LaunchSpec } from './container-launcher.js';
import { containerMemoryGroup, oomKillCount } from './container-limits.js';
import { currentCapabilities, hostDevices, hostNoFileLimit, isPureCgroupV2, swapLimitAvailable } from './oci-host.js';
import { resizeTty } from './container-tty.js';
import { processUser } from './oci-process.js';
import { containerMounts } from './sandbox-launcher.js';

/** runc's container ID for a pod's container (unique in the cluster's runc root). */
export function runcContainerID(podUID: string, container: string): string {
  return `${podUID}-${container}`;
}

/** What a restarted kubelet reads to adopt a running instance. */
interface InstanceRecord {
  id: string;
  root: string;
  pid: number;
  pidStartTime?: string;
  wrapperPid: number;
  wrapperStartTime?: string;
}

interface BundlePaths extends ContainerDirs {
  config: string;
  layers: string;
  pidFile: string;
  exitFile: string;
  logFile: string;
  record: string;
}

/** The upper and work directories of a copy-on-write host path (made fresh for each start). */
function copyOnWriteDirs(bundleDir: string, index: number): { upper: string; work: string } {
  const dir = path.join(bundleDir, 'host-paths', String(index));
  const dirs = { upper: path.join(dir, 'upper'), work: path.join(dir, 'work') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  return dirs;
}

function bundlePaths(podDir: string, name: string): BundlePaths {
  const d = containerDirs(podDir, name);
  return {
    ...d,
    config: path.join(d.dir, 'config.json'),
    layers: path.join(d.dir, 'layers'),
    pidFile: path.join(d.dir, 'pid'),
    exitFile: path.join(d.dir, 'exit'),
    logFile: path.join(d.dir, 'runc.log'),
    record: path.join(d.dir, 'runc.json'),
  };
}

/**
 * The wrapper's script, run in its own mount namespace from the bundle directory: mounts
 * the overlay (relative paths: short options), runs runc in the foreground, records its code.
 * fd 3 is the container's stderr (fd 2 stays the wrapper's, read by the launcher).
 */
export function wrapperScript(layerCount: number, runcArgv: readonly string[], tty: boolean): string {
  const lower = Array.from({ length: layerCount }, (_, i) => `layers/${i}`).join(':');
  const run = runcArgv.map(shellQuote).join(' ');
  return [
    'set -e',
    `mount -t overlay overlay -o ${shellQuote(`lowerdir=${lower},upperdir=upper,workdir=work`)} rootfs`,
    'set +e',
    tty ? `script -qfec ${shellQuote(`exec ${run}`)} /dev/null 3>&-` : `${run} 2>&3 3>&-`,
    'code=$?',
    `echo "$code" > exit`,
    'exit "$code"',
  ].join('\n');
}

function readInt(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

const runcFound = new Map<string, boolean>();
/** Whether the runtime's binary is there (asked once per process). */
function hasRunc(binary: string): boolean {
  let found = runcFound.get(binary);
  if (found === undefined) {
    found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', binary], { stdio: 'ignore' }).status === 0;
    runcFound.set(binary, found);
  }
  return found;
}

export interface RuncLauncherOptions {
  sandbox(podUID: string): PodSandbox | undefined;
  pod(podUID: string): Pod | undefined;
  logger?: Logger;
  /** runc's binary (default: runc on PATH). */
  runcBinary?: string;
  /** How long the start may take before it is abandoned (default 30s). */
  startTimeoutMs?: number;
  /** How often an adopted instance's end is looked for (default 500ms). */
  pollMs?: number;
}

export class RuncLauncher {
  private readonly log: Logger;

  constructor(private readonly opts: RuncLauncherOptions) {
    this.log = opts.logger ?? createLogger('kubelet/runc');
  }

  /** The runc of a cluster (its state in /run/kanzen-<cluster>/runc). */
  runc(cluster: string): Runc {
    return new Runc(runcRoot(cluster), this.opts.runcBinary);
  }

  async start(spec: LaunchSpec): Promise<LaunchedProcess> {
    const launch = spec.image;
    if (!isOciLaunch(launch)) throw new Error('not an OCI image');
    const sandbox = this.opts.sandbox(spec.podUID);
    const pod = this.opts.pod(spec.podUID);
    if (!sandbox || !pod) throw new Error(`no sandbox for pod ${spec.podUID}`);
    // Ephemeral (debug) containers are containers of the pod too.
    const ephemeral = (pod.spec as { ephemeralContainers?: Container[] }).ephemeralContainers ?? [];
    const c: Container = [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...ephemeral].find((x) => x.name === spec.container) ?? { name: spec.container };
    if (!hasRunc(this.opts.runcBinary ?? 'runc')) throw new ContainerStartError(`${this.opts.runcBinary ?? 'runc'} is not installed on this machine: npm start installs it (apt-get install runc)`, 128);
    const runc = this.runc(sandbox.cluster);
    const id = runcContainerID(spec.podUID, spec.container);
    const b = bundlePaths(sandbox.podDir, spec.container);
    // A stopped instance a crash left behind holds the ID.
    if (runc.has(id)) await runc.delete(id, true);
    this.prepareBundle(b, launch);
    const runtime = this.specFor(spec, launch, sandbox, pod, c);
    fs.writeFileSync(b.config, JSON.stringify(runtime));
    // Only a container with a memory limit can be OOM-killed in its own group: runc keeps
    // that one's group after it ends, for its OOM count; any other it removes by itself.
    const keep = runtime.linux.resources.memory !== undefined;
    const runcArgv = runc.runArgs({ bundle: b.dir, id, pidFile: b.pidFile, logFile: b.logFile, keep });
    const wrapper = this.spawnWrapper(spec, b.dir, wrapperScript(launch.lowerDirs.length, runcArgv, spec.tty === true));
    let wrapperStderr = '';
    wrapper.stderr?.setEncoding('utf8');
    wrapper.stderr?.on('data', (d: string) => {
      if (wrapperStderr.length < 8192) wrapperStderr += d;
    });
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => wrapper.once('close', (code, signal) => resolve({ code, signal })));
    wrapper.once('error', () => undefined);
    const pid = await this.started(b, wrapper, closed, () => wrapperStderr);
    if (pid === undefined) {
      if (runc.has(id)) await runc.delete(id, true).catch(() => undefined);
      const runcError = runcLogError(fs.existsSync(b.logFile) ? fs.readFileSync(b.logFile, 'utf8') : '');
      throw new ContainerStartError(runcError ? containerdStartError(runcError) : wrapperStderr.trim() || 'the container did not start', 128);
    }
    const record: InstanceRecord = { id, root: runc.root, pid, pidStartTime: processStartTime(pid), wrapperPid: wrapper.pid ?? 0, wrapperStartTime: processStartTime(wrapper.pid ?? 0) };
    fs.writeFileSync(b.record, JSON.stringify(record));
    const memoryGroup = containerMemoryGroup(sandbox.cluster, spec.podUID, spec.container);
    const exited = closed.then(({ code, signal }) => this.finish(runc, id, b, memoryGroup, code ?? (signal ? 128 + (os.constants.signals[signal] ?? 9) : undefined)));
    return { pid, exited, kill: (sig) => this.signal(runc, id, sig) };
  }

  /** The container's runtime spec: the pod's sandbox, the image's user, the host's facts. */
  private specFor(spec: LaunchSpec, launch: OciLaunch, sandbox: PodSandbox, pod: Pod, c: Container): RuntimeSpec {
    return runtimeSpec({
      cluster: sandbox.cluster,
      podUID: spec.podUID,
      pod,
      container: c,
      process: {
        argv: spec.argv,
        env: containerEnv(Object.entries(spec.env), sandbox.hostname),
        cwd: spec.workingDir || '/',
        user: processUser(launch.config, c, launch.lowerDirs, pod),
        terminal: spec.tty,
      },
      rootfs: 'rootfs',
      hostname: sandbox.hostname,
      netnsPath: sandbox.netnsPath,
      sharePidWith: spec.sharePidWith,
      etc: { hosts: sandbox.hostsPath, hostname: sandbox.hostnamePath, resolvConf: sandbox.resolvConfPath },
      mounts: containerMounts(pod, c, sandbox.podDir).map((m, i) => (m.copyOnWrite ? { ...m, overlay: copyOnWriteDirs(bundlePaths(sandbox.podDir, c.name).dir, i) } : m)),
      cgroupV2: isPureCgroupV2(),
      swapLimit: swapLimitAvailable(),
      allCapabilities: currentCapabilities(),
      noFileLimit: hostNoFileLimit(),
      hostDevices: c.securityContext?.privileged ? hostDevices() : undefined,
    });
  }

  /** The wrapper: the script in a mount namespace of its own, from the bundle, with the container's stdio. */
  private spawnWrapper(spec: LaunchSpec, dir: string, script: string): ChildProcess {
    const out = openAppend(spec.stdoutPath);
    const err = openAppend(spec.stderrPath);
    try {
      return spawn('unshare', ['--mount', '--propagation', 'slave', '--', '/bin/sh', '-c', script, 'kz-runc'], {
        cwd: dir,
        // 0/1: the container's; 2: the wrapper's own; 3: the container's stderr.
        stdio: [spec.stdin ?? 'ignore', out, 'pipe', err],
        // Its own process group, like a shim: a signal to the agent's group does not reach it.
        detached: true,
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
    } finally {
      // The wrapper has its copies.
      fs.closeSync(out);
      fs.closeSync(err);
    }
  }

  /** Resolves with the container's PID once runc wrote it, or undefined when the wrapper ended first. */
  private started(b: BundlePaths, wrapper: ChildProcess, closed: Promise<unknown>, stderr: () => string): Promise<number | undefined> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (pid: number | undefined) => {
        if (done) return;
        done = true;
        watcher.close();
        clearTimeout(timer);
        resolve(pid);
      };
      const check = () => {
        const pid = readInt(b.pidFile);
        if (pid !== undefined && pid > 0) finish(pid);
      };
      // runc writes the PID file (renamed into place) once the container's process runs.
      const watcher = fs.watch(b.dir, (_event, name) => {
        if (name === 'pid') check();
      });
      const timer = setTimeout(() => {
        this.log.warn('container did not start in time', { dir: b.dir, stderr: stderr() });
        // The wrapper's whole group (runc with it); the caller deletes what runc created.
        if (wrapper.pid === undefined) return;
        try {
          process.kill(-wrapper.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, this.opts.startTimeoutMs ?? 30_000);
      // A container that exits at once may be gone before the watch fires: the PID file stays.
      void closed.then(() => {
        const pid = readInt(b.pidFile);
        finish(pid !== undefined && pid > 0 ? pid : undefined);
      });
      check();
    });
  }

  /** The container ended: its OOM count read while runc still keeps its group, then runc's state and group removed. */
  private async finish(runc: Runc, id: string, b: BundlePaths, memoryGroup: string | undefined, code: number | undefined): Promise<ExitInfo> {
    const oomKilled = memoryGroup !== undefined && (oomKillCount(memoryGroup) ?? 0) > 0;
    try {
      if (runc.has(id)) await runc.delete(id, true);
    } catch (e) {
      this.log.warn('runc delete failed', { id, err: e });
    }
    fs.rmSync(b.record, { force: true });
    if (code === undefined) return { exitCode: null, signal: null, unknown: true };
    return { exitCode: code, signal: null, ...(oomKilled ? { oomKilled: true } : {}) };
  }

  private signal(runc: Runc, id: string, sig: NodeJS.Signals): void {
    runc.kill(id, sig).catch((e: Error) => {
      if (!/not running|does not exist|process already finished/.test(e.message)) this.log.warn('runc kill failed', { id, signal: sig, err: e });
    });
  }

  private prepareBundle(b: BundlePaths, launch: OciLaunch): void {
    const mounted = readMountPoints().filter((m) => m === b.dir || m.startsWith(b.dir + '/'));
    if (mounted.length > 0) throw new Error(`container directory ${b.dir} has mounts in the host namespace: ${mounted.join(', ')}`);
    // Each instance gets a fresh writable layer, as a restarted container does.
    fs.rmSync(b.dir, { recursive: true, force: true });
    for (const d of [b.rootfs, b.upper, b.work, b.layers]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
    launch.lowerDirs.forEach((dir, i) => fs.symlinkSync(path.resolve(dir), path.join(b.layers, String(i))));
  }

  /** The instance record of a container this launcher started, if pid is still that instance. */
  private instance(podUID: string, container: string, pid: number): { record: InstanceRecord; b: BundlePaths; sandbox: PodSandbox } | undefined {
    const sandbox = this.opts.sandbox(podUID);
    if (!sandbox) return undefined;
    const b = bundlePaths(sandbox.podDir, container);
    try {
      const record = JSON.parse(fs.readFileSync(b.record, 'utf8')) as InstanceRecord;
      return record.pid === pid ? { record, b, sandbox } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether the container with this PID is one of runc's (exec goes through runc then). */
  owns(target: ContainerExecTarget): boolean {
    return this.instance(target.podUID, target.container, target.pid) !== undefined;
  }

  /**
   * Re-adopts an instance a previous kubelet started: its end is noticed by polling the
   * wrapper and the container, its exit code read from the file the wrapper wrote.
   */
  adopt(podUID: string, container: string, pid: number): LaunchedProcess | undefined {
    const inst = this.instance(podUID, container, pid);
    if (!inst) return undefined;
    const { record, b, sandbox } = inst;
    const runc = new Runc(record.root, this.opts.runcBinary);
    const same = (p: number, start?: string) => p > 0 && isProcessAlive(p) && processStartTime(p) === start;
    const memoryGroup = containerMemoryGroup(sandbox.cluster, podUID, container);
    const exited = new Promise<void>((resolve) => {
      const poll = () => {
        if (same(record.pid, record.pidStartTime) || same(record.wrapperPid, record.wrapperStartTime)) setTimeout(poll, this.opts.pollMs ?? 500);
        else resolve();
      };
      poll();
    }).then(() => this.finish(runc, record.id, b, memoryGroup, readInt(b.exitFile)));
    return { pid, exited, kill: (sig) => this.signal(runc, record.id, sig) };
  }

  /** `runc exec` in the container: its namespaces, cgroup, capabilities, user and environment. */
  exec(target: ContainerExecTarget, argv: string[], opts: { tty?: boolean; stdin?: boolean }): ContainerExec {
    const inst = this.instance(target.podUID, target.container, target.pid);
    if (!inst) throw new Error(`container "${target.container}" is not running`);
    const runc = new Runc(inst.record.root, this.opts.runcBinary);
    const execDir = path.join(runtimeDir(inst.sandbox.cluster), 'exec');
    fs.mkdirSync(execDir, { recursive: true });
    const pidFile = path.join(execDir, `${inst.record.id}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.pid`);
    const child = runc.exec(inst.record.id, argv, { tty: opts.tty, stdin: opts.stdin, pidFile });
    child.once('close', () => fs.rmSync(pidFile, { force: true }));
    return {
      process: child,
      // script(1)'s pty is runc's terminal: runc passes its size on to the container's console.
      resize: opts.tty && child.pid ? (size) => void resizeTty(child.pid!, size) : undefined,
      kill: () => {
        // The exec'd process itself (runc would only forward a signal it can catch).
        const pid = readInt(pidFile);
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  }
}

/** Deletes the runc containers of a pod (its sandbox is going; whatever a crash left stopped). */
export async function removePodRuncContainers(cluster: string, podUID: string, runcBinary?: string): Promise<void> {
  const runc = new Runc(runcRoot(cluster), runcBinary);
  for (const s of await runc.list()) if (s.id.startsWith(`${podUID}-`)) await runc.delete(s.id, true);
}

/** Deletes every runc container of the cluster and its runtime directory (kanzen down). */
export async function removeClusterRuncContainers(cluster: string, runcBinary?: string): Promise<string[]> {
  const runc = new Runc(runcRoot(cluster), runcBinary);
  const ids: string[] = [];
  for (const s of await runc.list()) {
    await runc.delete(s.id, true);
    ids.push(s.id);
  }
  fs.rmSync(runtimeDir(cluster), { recursive: true, force: true });
  return ids;
}
