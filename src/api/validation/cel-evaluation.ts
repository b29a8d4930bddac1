// Where CEL rules run. cel-js cannot meter or interrupt an evaluation, so kanzen bounds a rule's
// cost before running it (cel-cost.ts with the value's real sizes) and runs the expensive ones,
// and those with regular expressions (JavaScript's backtrack; Go's RE2 does not, so their cost
// bound is no time bound), on a worker thread: the event loop keeps answering other requests,
// and a worker still busy at the deadline is terminated, its rule reported as over its limit.
import { Environment } from '@marcbachmann/cel-js';
import { Worker } from 'node:worker_threads';
import { registerKubernetesLibraries } from './cel-libraries.js';

/** Runs rules on untyped values (maps, lists, int as bigint, double as number). */
export const celEvaluation = registerKubernetesLibraries(
  new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false, unlistedVariablesAreDyn: true }),
);

/** An evaluation error as the worker passes it back (cel-js' summary and message). */
export interface CelEvaluationError {
  summary?: string;
  message: string;
}

/** The evaluation did not finish by its deadline (the worker was terminated). */
export class CelDeadlineExceeded extends Error {}

interface Job {
  expression: string;
  activation: Record<string, unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type Reply = { ok: true; value: unknown } | { ok: false; error: CelEvaluationError };

/**
 * One reused worker thread evaluating one expression at a time, in order; a job still running
 * after deadlineMs terminates the worker (a new one starts for the next job).
 */
export class CelEvaluationWorker {
  private worker?: Worker;
  private readonly queue: Job[] = [];
  private running?: { job: Job; timer: NodeJS.Timeout };

  constructor(private readonly deadlineMs: number) {}

  evaluate(expression: string, activation: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ expression, activation, resolve, reject });
      this.next();
    });
  }

  /** Stops the thread (tests; the process exits without it, the worker being unref'd). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private start(): Worker {
    const w = new Worker(new URL('./cel-evaluation-worker.js', import.meta.url));
    w.on('message', (reply: Reply) => this.finish(reply));
    w.on('error', (e) => this.finish({ ok: false, error: { message: String(e) } }));
    // A worker that died (out of memory) is replaced for the next job.
    w.on('exit', () => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.finish({ ok: false, error: { message: 'the CEL evaluation worker exited' } });
    });
    // after the listeners, which would hold the process otherwise
    w.unref();
    return w;
  }

  private next(): void {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) return;
    this.worker ??= this.start();
    const timer = setTimeout(() => {
      const w = this.worker;
      this.worker = undefined;
      this.running = undefined;
      void w?.terminate();
      job.reject(new CelDeadlineExceeded(`evaluation did not finish within ${this.deadlineMs}ms`));
      this.next();
    }, this.deadlineMs);
    this.running = { job, timer };
    this.worker.postMessage({ expression: job.expression, activation: job.activation });
  }

  private finish(reply: Reply): void {
    const running = this.running;
    if (!running) return;
    clearTimeout(running.timer);
    this.running = undefined;
    if (reply.ok) running.job.resolve(reply.value);
    else running.job.reject(reply.error);
    this.next();
  }
}
