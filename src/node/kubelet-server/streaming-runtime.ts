// What the kubelet server needs from the node's runtime to serve `kubectl logs`, `exec`
// and `attach` (upstream: the CRI's ContainerStatus log path, Exec and Attach). Kept
// small so the kubelet can implement it with `spawn` and the files it already writes.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/** The streams a client asked for (PodExecOptions / PodAttachOptions). */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** With a tty, stderr is merged into stdout by the terminal and no stderr stream exists. */
  tty: boolean;
}

export interface TerminalSize {
  width: number;
  height: number;
}

/** One container instance's CRI-format log file (`<RFC3339Nano> stdout|stderr F|P <text>` lines). */
export interface ContainerLogFile {
  path: string;
  /**
   * Resolves when this container instance's log is complete (it exited and its output is
   * all written): `logs -f` ends then. Absent when the instance has already ended.
   */
  exited?: Promise<unknown>;
}

/**
 * A process joined to a client: an exec'd command, or the container's main process for
 * attach. For attach, `exited` resolves when the container ends (its code is ignored:
 * upstream reports Success and kubectl reads the exit code from the pod status).
 */
export interface StreamingProcess {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** The exit code; 128+N for a process killed by signal N (as containerd reports). */
  exited: Promise<number>;
  resize?(size: TerminalSize): void;
  /** The client went away first: exec kills the command; attach only detaches. */
  close(): void;
}

/**
 * The runtime seam. Errors are thrown as ApiError; their message reaches kubectl verbatim
 * (e.g. `ApiError.badRequest('container "c" in pod "p" is waiting to start: ContainerCreating')`,
 * which validateContainerLogStatus() computes from the pod status).
 */
export interface StreamingRuntime {
  containerLogFile(ref: ContainerRef, previous: boolean): ContainerLogFile | Promise<ContainerLogFile>;
  exec(ref: ContainerRef, command: string[], opts: StreamOptions): StreamingProcess | Promise<StreamingProcess>;
  attach(ref: ContainerRef, opts: StreamOptions): StreamingProcess | Promise<StreamingProcess>;
  /** A connection to a port of the pod (kubectl port-forward); rejects with why not. */
  portForward(namespace: string, pod: string, port: number): Promise<Duplex>;
}

/** Wraps a spawned child (stdio 'pipe') as a StreamingProcess: what exec needs. */
export function streamingProcessFromChild(child: ChildProcess, resize?: (size: TerminalSize) => void): StreamingProcess {
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(126));
    // 'close' (not 'exit') so stdout/stderr are fully drained before the status is sent.
    child.once('close', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
  });
  // Node discards a child's unread output when it exits (child_process flushStdio), and a
  // short command may exit before the client's streams are set up: buffer it here.
  const buffered = (r: Readable | null) => (r ? r.pipe(new PassThrough()) : null);
  return {
    stdin: child.stdin,
    stdout: buffered(child.stdout),
    stderr: buffered(child.stderr),
    exited,
    resize,
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (signalNumbers[signal] ?? 0) : 0;
}

/**
 * argv that runs `command` on a pseudo-terminal using util-linux `script` (Debian:
 * package bsdutils, always installed): `-q` no banner, `-f` flush, `-e` return the
 * child's exit code, `-c` the command, log to /dev/null. The initial size is set with
 * stty because the pty cannot be resized from outside `script`; later resizes are lost.
 */
export function ptyCommand(command: string[], size?: TerminalSize): string[] {
  const quoted = command.map(shellQuote).join(' ');
  const stty = size ? `stty cols ${Math.floor(size.width)} rows ${Math.floor(size.height)} 2>/dev/null; ` : '';
  return ['script', '-qfec', `${stty}exec ${quoted}`, '/dev/null'];
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A failed connect as Go's dialer words it, which the kubelet's port-forward errors carry. */
export function dialErrorMessage(ip: string, port: number, e: NodeJS.ErrnoException): string {
  const why = e.code === 'ECONNREFUSED' ? 'connection refused' : e.code === 'EHOSTUNREACH' ? 'no route to host' : e.message;
  return `dial tcp ${ip}:${port}: connect: ${why}`;
}

/** A TCP connection to ip:port once it is up; rejects with dialErrorMessage. */
export function dialPod(ip: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: ip, port, noDelay: true });
    s.once('connect', () => {
      s.off('error', onError);
      resolve(s);
    });
    const onError = (e: NodeJS.ErrnoException) => reject(new Error(dialErrorMessage(ip, port, e)));
    s.once('error', onError);
  });
}
