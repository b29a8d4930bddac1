// A container's stdout and stderr: FIFOs, the counterpart of the stdio FIFOs containerd's
// shim keeps for a container. The container writes into them (fd 1 and 2); the log writer
// (log-writer.ts) reads them into the CRI log. A keeper process (container-stdin.ts
// spawnFdKeeper) holds a read end of each, so the container never gets EPIPE while the
// kubelet is away (it restarts, or is slow): the pipe fills and the container waits, and the
// next kubelet reads on from there. Nothing is kept twice on disk: the FIFOs hold at most a
// pipe buffer.
import fs from 'node:fs';
import { outputFifoPath, type LogStream } from './cri-log.js';
import { makeFifo, spawnFdKeeper, stopKeeper } from './container-stdin.js';

/** What the runtime persists about an instance's output FIFOs (in its ContainerRecord). */
export interface OutputFifosState {
  fifos: Record<LogStream, string>;
  keeperPid?: number;
  keeperStartTime?: string;
}

/** Creates the instance's FIFOs and their keeper (`wrap` as for the stdin keeper: into the pod's namespace). */
export function createOutputFifos(podDir: string, container: string, restartCount: number, wrap: (argv: string[]) => string[] = (a) => a): OutputFifosState {
  const fifos = { stdout: outputFifoPath(podDir, container, restartCount, 'stdout'), stderr: outputFifoPath(podDir, container, restartCount, 'stderr') };
  const fds: number[] = [];
  try {
    for (const f of [fifos.stdout, fifos.stderr]) {
      makeFifo(f);
      // Non-blocking: no writer exists yet. The keeper's end is never read; it only keeps a reader there.
      fds.push(fs.openSync(f, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    }
    return { fifos, ...spawnFdKeeper(fds, wrap, `output keeper for ${fifos.stdout}`) };
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

/** The instance is over and its log complete: the keeper and the FIFOs go. */
export function removeOutputFifos(state: OutputFifosState): void {
  stopKeeper(state);
  for (const f of Object.values(state.fifos)) fs.rmSync(f, { force: true });
}
