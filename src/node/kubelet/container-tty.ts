// A container with `tty: true` runs its main process on a pseudo-terminal: util-linux
// script(1) is the container's first process, holds the pty's master side and copies
// between it and the container's stdin (the FIFO, container-stdin.ts) and stdout (the
// output FIFO, container-output.ts). Stderr is the terminal too, so a tty container only has stdout, as with
// containerd. The real process is script's child; its fd 0 is the pty's slave side, which
// is where a resize (TIOCSWINSZ through `stty -F`) goes.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { ptyCommand, type TerminalSize } from '../kubelet-server/streaming-runtime.js';

/** argv that runs argv on a new pty (script -qfec "exec <argv>" /dev/null). */
export function ttyArgv(argv: string[]): string[] {
  return ptyCommand(argv);
}

/** The first child of pid (the process script runs on the terminal), if any. */
export function ttyChildPid(pid: number): number | undefined {
  try {
    const first = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    const n = Number(first);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which process a signal for a tty container goes to: script would swallow it (it watches
 * signals through a signalfd), so everything but SIGKILL goes to the process on the terminal.
 */
export function ttySignalTarget(pid: number, signal: NodeJS.Signals): number {
  if (signal === 'SIGKILL') return pid;
  return ttyChildPid(pid) ?? pid;
}

/** Whether the process's stdin is a terminal (a runc container's init is on its console). */
function onTerminal(pid: number): boolean {
  try {
    return /^\/dev\/(pts\/\d+|tty|console)/.test(fs.readlinkSync(`/proc/${pid}/fd/0`));
  } catch {
    return false;
  }
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The process whose terminal gets a new size (the kernel then sends SIGWINCH): for a runc
 * container on its console (runc's terminal mode), runc's own terminal, its parent's, whose
 * size runc copies to the console (when it starts and on SIGWINCH: setting the console
 * directly could be undone by runc's first copy); else the first child of pid (script(1)'s:
 * a sandbox-exec tty container, or runc under script for an exec).
 */
function resizeTarget(pid: number): number | undefined {
  if (!onTerminal(pid)) return ttyChildPid(pid);
  const parent = parentPid(pid);
  return parent !== undefined && onTerminal(parent) ? parent : pid;
}

/** Sets the terminal size of a tty container whose first process is pid (see resizeTarget). */
export function resizeTty(pid: number, size: TerminalSize): Promise<boolean> {
  const child = resizeTarget(pid);
  if (!child || !(size.width > 0) || !(size.height > 0)) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('stty', ['-F', `/proc/${child}/fd/0`, 'cols', String(Math.floor(size.width)), 'rows', String(Math.floor(size.height))], { timeout: 5000 }, (err) =>
      resolve(!err),
    );
  });
}
