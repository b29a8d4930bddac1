// How the runtime starts a container process. The real launcher (sandbox-exec) starts it
// inside the pod's sandbox; HostProcessLauncher runs it as a plain child process of the
// kubelet (no namespaces), for tests. Either way the process gets FIFOs as stdout and
// stderr (container-output.ts) and, when it has one, a FIFO as stdin (container-stdin.ts), so
// it never depends on the kubelet staying alive.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../cluster-network.js';
import { ttyArgv } from './container-tty.js';

export interface ExitInfo {
  /** null when the process was killed by a signal, or when it is unknown. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The process was not the kubelet's child (adopted after a restart): how it ended is unknown. */
  unknown?: boolean;
  /** The kernel's OOM killer acted in the container's memory cgroup while it ran. */
  oomKilled?: boolean;
}

export interface LaunchSpec {
  podUID: string;
  podName: string;
  namespace: string;
  container: string;
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** Opened for writing (the output FIFOs) and given to the process as fd 1 and 2. */
  stdoutPath: string;
  stderrPath: string;
  /** An fd to give the process as fd 0 (the stdin FIFO's read end); /dev/null without. */
  stdin?: number;
  /** Run the process on a pseudo-terminal (container-tty.ts). */
  tty?: boolean;
  /** Whatever the image catalog resolved (opaque here; the sandbox launcher reads it). */
  image?: unknown;
  /**
   * Join the PID namespace of this host PID instead of getting one of its own: an
   * ephemeral container's target container (kubectl debug --target), or a process of the
   * node for a hostPID pod. The container's process is then not its namespace's init.
   */
  sharePidWith?: number;
}

export interface LaunchedProcess {
  pid: number;
  exited: Promise<ExitInfo>;
  /** Signals the container (a sandbox launcher may need more than kill(pid): a PID-namespace init ignores unhandled signals). */
  kill?(signal: NodeJS.Signals): void;
}

/** A running container's command (kubectl exec, exec probes and hooks). */
export interface ContainerExec {
  process: ChildProcess;
  /** Sets the terminal size of a tty exec. */
  resize?(size: { width: number; height: number }): void;
  /** Ends the command (the client went away, a probe timed out). */
  kill(): void;
}

export interface ContainerExecTarget {
  podUID: string;
  container: string;
  /** The container's init PID as the runtime recorded it. */
  pid: number;
}

export interface ContainerLauncher {
  start(spec: LaunchSpec): Promise<LaunchedProcess>;
  /**
   * A container an earlier kubelet started (re-adoption after a restart): how to watch and
   * signal it, or undefined to watch its PID. `alive`: its recorded PID still runs.
   */
  adopt?(podUID: string, container: string, pid: number, alive: boolean): LaunchedProcess | undefined;
  /** Runs a command in a running container (default: the kubelet nsenters it). */
  exec?(target: ContainerExecTarget, argv: string[], opts: { tty?: boolean; stdin?: boolean }): ContainerExec;
  /**
   * argv for a helper process that belongs with the pod (the stdin keeper): the sandbox
   * launcher runs it in the pod's network namespace, so the pod's teardown reaps it.
   */
  helperArgv?(podUID: string, argv: string[]): string[];
}

/** The start time of a process in clock ticks since boot (/proc/<pid>/stat field 22), to tell a PID apart from a reused one. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A process this kubelet did not start (re-adopted after a restart): its end is noticed by polling. */
export function watchPid(pid: number, pollMs = 500): LaunchedProcess {
  const exited = new Promise<ExitInfo>((resolve) => {
    const t = setInterval(() => {
      if (isProcessAlive(pid)) return;
      clearInterval(t);
      resolve({ exitCode: null, signal: null, unknown: true });
    }, pollMs);
  });
  return { pid, exited };
}

/** Opens a container's output (a FIFO) for appending, its directory made first. */
export function openAppend(p: string): number {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  return fs.openSync(p, 'a');
}

/** Runs containers as plain host processes (tests, and a last resort without a sandbox). */
export class HostProcessLauncher implements ContainerLauncher {
  async start(spec: LaunchSpec): Promise<LaunchedProcess> {
    const out = openAppend(spec.stdoutPath);
    const err = openAppend(spec.stderrPath);
    try {
      const argv = spec.tty ? ttyArgv(spec.argv) : spec.argv;
      const child = spawn(argv[0], argv.slice(1), {
        cwd: spec.workingDir || undefined,
        env: spec.env,
        stdio: [spec.stdin ?? 'ignore', out, err],
        detached: true,
      });
      const exited = new Promise<ExitInfo>((resolve) => {
        child.once('exit', (code, signal) => resolve({ exitCode: code, signal }));
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', () => resolve());
        child.once('error', reject);
      });
      return { pid: child.pid!, exited };
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
  }
}
