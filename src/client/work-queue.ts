// The one reconcile-queue helper (client-go's rate-limited work queue + worker loop):
// keys are de-duplicated while waiting, a key is never processed by two workers at once
// (a key added while processing is re-run after), failures are retried with per-key
// exponential back-off, and addAfter batches churn.
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';

export interface WorkQueueOptions {
  name: string;
  /** Concurrent reconciles (distinct keys). */
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: Logger;
}

/** What a reconcile may ask for: nothing (done), or to be run again after a delay. */
export type ReconcileResult = void | { requeueAfterMs: number };

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly log: Logger;
  private readonly workers: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly reconcile: (key: string) => Promise<ReconcileResult>,
    opts: WorkQueueOptions,
  ) {
    this.workers = opts.workers ?? 1;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 60_000;
    this.log = (opts.logger ?? silentLogger).child(`queue/${opts.name}`);
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Adds the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) return this.add(key);
    if (this.timers.has(key)) return;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, delayMs),
    );
  }

  /** Adds the key after its per-key back-off (a failure handled outside reconcile, e.g. an asynchronous step). */
  addRateLimited(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    this.addAfter(key, Math.min(this.baseDelayMs * 2 ** (n - 1), this.maxDelayMs));
  }

  get length(): number {
    return this.queue.length;
  }

  /** Resolves when nothing is queued, processing or pending a delay (for tests). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.active === 0 && this.timers.size === 0;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.workers) {
      const i = this.queue.findIndex((k) => !this.processing.has(k));
      if (i < 0) break;
      const [key] = this.queue.splice(i, 1);
      this.queued.delete(key);
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async run(key: string): Promise<void> {
    try {
      const result = await this.reconcile(key);
      this.failures.delete(key);
      if (result && result.requeueAfterMs >= 0) this.addAfter(key, result.requeueAfterMs);
    } catch (e) {
      this.log.warn('reconcile failed, will retry', { key, err: e instanceof Error ? e.message : String(e) });
      this.addRateLimited(key);
    } finally {
      this.processing.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
