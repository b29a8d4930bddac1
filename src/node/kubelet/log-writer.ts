// Writes container logs on a thread of its own (log-writer-worker.ts): the node agent's
// event loop, which also runs the Service proxy, never reads or formats container output.
// One writer per process serves every container; a session is one container instance.
import { Worker } from 'node:worker_threads';
import { createLogger } from '../../util/logger.js';
import { containerLogMaxFiles, containerLogMaxSize, type LogStream, type RotationPolicy } from './cri-log.js';

export type ToLogWriter =
  | { op: 'open'; id: number; logFile: string; fifos: Partial<Record<LogStream, string>>; policy: RotationPolicy }
  /** The container's process exited: complete the log once its FIFOs have been drained. */
  | { op: 'finish'; id: number }
  /** The kubelet stops and the container keeps running: stop reading, the log stays open for the next writer. */
  | { op: 'detach'; id: number };

export type FromLogWriter = { op: 'done'; id: number } | { op: 'error'; id: number; message: string };

export interface LogWriterSession {
  /** Resolves once the log is complete (the FIFOs reached their end, or were drained after finish()) or the session detached. */
  readonly done: Promise<void>;
  finish(): void;
  detach(): void;
}

export class ContainerLogWriter {
  private worker?: Worker;
  private readonly sessions = new Map<number, () => void>();
  private nextId = 1;

  constructor(private readonly onError: (message: string) => void = () => undefined) {}

  /** Starts reading an instance's FIFOs into its log (appended to: a re-adopted instance continues its log). */
  open(logFile: string, fifos: Partial<Record<LogStream, string>>, policy: RotationPolicy = { maxSize: containerLogMaxSize, maxFiles: containerLogMaxFiles }): LogWriterSession {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.sessions.set(id, resolve);
    worker.ref();
    worker.postMessage({ op: 'open', id, logFile, fifos, policy } satisfies ToLogWriter);
    const send = (op: 'finish' | 'detach') => {
      if (this.sessions.has(id)) this.worker?.postMessage({ op, id } satisfies ToLogWriter);
    };
    return {
      done,
      finish: () => send('finish'),
      detach: () => {
        send('detach');
        this.settle(id);
      },
    };
  }

  private settle(id: number): void {
    this.sessions.get(id)?.();
    this.sessions.delete(id);
    // An idle writer does not keep the process alive.
    if (this.sessions.size === 0) this.worker?.unref();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./log-writer-worker.js', import.meta.url));
    worker.on('message', (m: FromLogWriter) => {
      if (m.op === 'done') this.settle(m.id);
      else this.onError(m.message);
    });
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.onError(`container log writer stopped: ${why}`);
      for (const id of [...this.sessions.keys()]) this.settle(id);
    };
    worker.on('error', (e) => lost(e.message));
    worker.on('exit', (code) => lost(`exit ${code}`));
    this.worker = worker;
    return worker;
  }
}

let shared: ContainerLogWriter | undefined;

/** The process's log writer (one thread for every container of the node). */
export function sharedLogWriter(): ContainerLogWriter {
  const log = createLogger('kubelet/logs');
  shared ??= new ContainerLogWriter((message) => log.warn('container log', { err: message }));
  return shared;
}
