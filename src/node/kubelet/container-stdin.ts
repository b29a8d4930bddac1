// A container's stdin (spec.containers[].stdin / tty): a FIFO in the pod directory, the
// counterpart of the stdin FIFO containerd's shim keeps for a container.
//
// The container reads the FIFO as fd 0. A reader of a FIFO sees EOF once no writer is
// left, so a tiny "keeper" process (`sleep infinity`, detached, in the pod's network
// namespace when the launcher says how) holds it open read-write: the container never sees
// a premature EOF, whether or not anyone is attached, and the keeper outlives a kubelet
// restart the way a shim does. `kubectl attach -i` opens its own write end (non-blocking,
// its own open file description, so the container's fd stays blocking) and writes into it.
// Closing stdin (stdinOnce after the first stdin session, or the container's end) kills the
// keeper; the container reads what is buffered and then EOF.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isProcessAlive } from '../cluster-network.js';
import { processStartTime } from './container-launcher.js';

/** What the runtime persists about a container's stdin relay (in its ContainerRecord). */
export interface StdinRelayState {
  fifo: string;
  keeperPid?: number;
  keeperStartTime?: string;
  /** Stdin has been closed for good (stdinOnce after its session, or the keeper is gone). */
  closed?: boolean;
  /** A stdinOnce session has attached stdin: when the kubelet restarts mid-session, stdin is closed (the session ended). */
  sessionStarted?: boolean;
}

export interface StdinRelay {
  state: StdinRelayState;
  /** The FIFO opened for reading, for the container's fd 0; the caller closes it once the container has it. */
  readFd: number;
}

/** Where the FIFO of a container instance lives (beside its log, outside the writable layer replaced on restart). */
export function stdinFifoPath(podDir: string, container: string, restartCount: number): string {
  return path.join(podDir, 'logs', container, `${restartCount}.stdin`);
}

/** A new FIFO at path (its folder made, an old one replaced), for the kubelet alone (0600). */
export function makeFifo(fifo: string): void {
  fs.mkdirSync(path.dirname(fifo), { recursive: true });
  fs.rmSync(fifo, { force: true });
  execFileSync('mkfifo', ['-m', '600', fifo]);
}

/**
 * Creates the FIFO and its keeper. `wrap` turns the keeper's argv into the one to spawn
 * (e.g. nsenter into the pod's network namespace so the pod's teardown reaps it).
 */
export function createStdinRelay(fifo: string, wrap: (argv: string[]) => string[] = (a) => a): StdinRelay {
  makeFifo(fifo);
  // O_RDWR on a FIFO never blocks on Linux; with a writer present, the O_RDONLY open does not block either.
  const keep = fs.openSync(fifo, fs.constants.O_RDWR);
  let readFd: number | undefined;
  try {
    const keeper = spawnFdKeeper([keep], wrap, `stdin keeper for ${fifo}`);
    readFd = fs.openSync(fifo, fs.constants.O_RDONLY);
    return { state: { fifo, ...keeper }, readFd };
  } catch (e) {
    if (readFd !== undefined) fs.closeSync(readFd);
    throw e;
  } finally {
    fs.closeSync(keep);
  }
}

/**
 * A detached `sleep infinity` holding `fds` (as its fds 3…) open until it is killed: the
 * FIFO ends a container uses stay open whether or not the kubelet runs.
 */
export function spawnFdKeeper(fds: number[], wrap: (argv: string[]) => string[], what: string): { keeperPid: number; keeperStartTime?: string } {
  const argv = wrap(['sleep', 'infinity']);
  const keeper = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'ignore', ...fds], detached: true });
  keeper.on('error', () => undefined);
  keeper.unref();
  if (!keeper.pid) throw new Error(`${what} did not start`);
  return { keeperPid: keeper.pid, keeperStartTime: processStartTime(keeper.pid) };
}

/** Kills a keeper if it is still the process it was (same start time). */
export function stopKeeper(state: { keeperPid?: number; keeperStartTime?: string }): void {
  if (state.keeperPid && keeperAlive(state)) {
    try {
      process.kill(state.keeperPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  state.keeperPid = undefined;
  state.keeperStartTime = undefined;
}

/** The keeper still runs (same PID, same start time): stdin is still open. */
export function keeperAlive(state: { keeperPid?: number; keeperStartTime?: string }): boolean {
  if (!state.keeperPid || !isProcessAlive(state.keeperPid)) return false;
  return !state.keeperStartTime || processStartTime(state.keeperPid) === state.keeperStartTime;
}

/** Closes the container's stdin for good: the keeper goes, the container reads EOF once no attach writer is left. */
export function closeStdin(state: StdinRelayState): void {
  state.closed = true;
  stopKeeper(state);
}

/** Removes the FIFO once the container instance is over. */
export function removeStdinRelay(state: StdinRelayState): void {
  closeStdin(state);
  fs.rmSync(state.fifo, { force: true });
}

/**
 * A write end of the FIFO for one attach session; undefined when stdin is closed or nobody
 * reads it any more (ENXIO: no reader).
 */
export function openStdinWriter(state: StdinRelayState): net.Socket | undefined {
  if (state.closed) return undefined;
  let fd: number;
  try {
    fd = fs.openSync(state.fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  // A net.Socket over the fd: libuv writes a non-blocking pipe without blocking a thread.
  const sock = new net.Socket({ fd, readable: false, writable: true });
  sock.on('error', () => sock.destroy());
  return sock;
}
