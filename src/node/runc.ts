// The OCI runtime's command line (runc, Debian package runc; containerd's default runtime).
// A cluster's containers are runc containers in one state directory named after the cluster,
// /run/kanzen-<cluster>/runc (`--root`): on a tmpfs, so a reboot, which ends every container,
// also forgets them; `kanzen down` deletes what it lists.
//
// `runc run` stays in the foreground as the container's parent and exits with its code
// (128+n after signal n): the natural shim (runcRunArgs, used by the launcher's wrapper).
// `runc exec` runs a command in a running container with its namespaces, cgroup,
// capabilities, user and environment; with a terminal it needs a controlling tty of its own,
// so it runs under the host's script(1), whose pty it copies to and from the container's
// console, and whose size it forwards on SIGWINCH (resize: stty on script's pty).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assertClusterName } from './cluster-network.js';
import { shellQuote } from './sandbox-exec.js';

/** The cluster's runtime directory (runc's state and exec PID files). */
export function runtimeDir(cluster: string): string {
  assertClusterName(cluster);
  return `/run/kanzen-${cluster}`;
}

/** runc's --root for the cluster. */
export function runcRoot(cluster: string): string {
  return path.join(runtimeDir(cluster), 'runc');
}

/** A container as `runc state` / `runc list` report it. */
export interface RuncState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
}

/** The last error runc wrote to its JSON log (`--log-format json`), without runc's own prefix. */
export function runcLogError(logText: string): string | undefined {
  let msg: string | undefined;
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string };
      if (e.level === 'error' && e.msg) msg = e.msg;
    } catch {
      // a torn line
    }
  }
  return msg?.replace(/^runc (run|create|exec) failed: /, '');
}

/** A failed start as containerd reports it for runc (the StartError message the kubelet shows). */
export function containerdStartError(runcError: string): string {
  return `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ${runcError}: unknown`;
}

const runcEnv = () => ({ PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' });

export class Runc {
  constructor(
    readonly root: string,
    readonly binary = 'runc',
  ) {}

  /** argv of `runc run` in the foreground; keep (--keep) leaves the stopped container (its cgroup: the OOM count) until delete. */
  runArgs(opts: { bundle: string; id: string; pidFile: string; logFile: string; keep?: boolean }): string[] {
    return [this.binary, '--root', this.root, '--log', opts.logFile, '--log-format', 'json', 'run', ...(opts.keep ? ['--keep'] : []), '--pid-file', opts.pidFile, '--bundle', opts.bundle, opts.id];
  }

  /** Whether runc keeps state for the container (running, or stopped and kept). */
  has(id: string): boolean {
    return fs.existsSync(path.join(this.root, id));
  }

  /** Runs a runc subcommand; rejects with runc's message. */
  private run(args: string[], timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.binary, ['--root', this.root, ...args], { env: runcEnv(), timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(stderr.trim() || err.message));
        else resolve(stdout);
      });
    });
  }

  async state(id: string): Promise<RuncState | undefined> {
    try {
      return JSON.parse(await this.run(['state', id])) as RuncState;
    } catch (e) {
      if (/does not exist/.test((e as Error).message)) return undefined;
      throw e;
    }
  }

  async list(): Promise<RuncState[]> {
    if (!fs.existsSync(this.root)) return [];
    return (JSON.parse(await this.run(['list', '--format', 'json'])) as RuncState[] | null) ?? [];
  }

  /** Sends a signal to the container's init (`--all`: every process of it). */
  async kill(id: string, signal: NodeJS.Signals | number, all = false): Promise<void> {
    await this.run(['kill', ...(all ? ['--all'] : []), id, String(signal)]);
  }

  /** Removes the container's state and cgroups (force: kills it first if it runs). */
  async delete(id: string, force = false): Promise<void> {
    try {
      await this.run(['delete', ...(force ? ['--force'] : []), id]);
    } catch (e) {
      if (!/does not exist/.test((e as Error).message)) throw e;
    }
  }

  /**
   * argv that runs `argv` in a running container: `runc exec`, under script(1) for a
   * terminal (TERM=xterm added, as containerd does for a tty exec). pidFile receives the
   * exec'd process's host PID.
   */
  execArgs(id: string, argv: readonly string[], opts: { tty?: boolean; pidFile?: string; env?: [string, string][] } = {}): string[] {
    if (argv.length === 0) throw new Error('exec needs a command');
    const env = [...(opts.env ?? [])];
    if (opts.tty && !env.some(([k]) => k === 'TERM')) env.push(['TERM', 'xterm']);
    const runc = [
      this.binary, '--root', this.root, 'exec',
      ...(opts.tty ? ['--tty'] : []),
      ...(opts.pidFile ? ['--pid-file', opts.pidFile] : []),
      ...env.flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      id, ...argv,
    ];
    return opts.tty ? ['script', '-qfec', `exec ${runc.map(shellQuote).join(' ')}`, '/dev/null'] : runc;
  }

  exec(id: string, argv: readonly string[], opts: { tty?: boolean; stdin?: boolean; pidFile?: string; env?: [string, string][] } = {}): ChildProcess {
    const [cmd, ...args] = this.execArgs(id, argv, opts);
    return spawn(cmd, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...runcEnv(), SHELL: '/bin/sh' } });
  }
}
