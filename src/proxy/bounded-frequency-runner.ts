// Bounded-frequency runner (upstream pkg/util/async/bounded_frequency_runner.go, used by
// every kube-proxy backend): requests to run merge into one; runs are at least
// minIntervalMs apart and at most maxIntervalMs apart; a run never overlaps another;
// a run that throws is logged and retried, never ending the loop.
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';

export interface BoundedFrequencyRunnerOptions {
  /** Minimum time between the starts of two runs. */
  minIntervalMs: number;
  /** A run happens at least this often even without requests (periodic resync). */
  maxIntervalMs: number;
  /** Delay before retrying a run that threw (default maxIntervalMs / 10, at least minIntervalMs). */
  retryIntervalMs?: number;
  logger?: Logger;
  now?: () => number;
}

export class BoundedFrequencyRunner {
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private running = false;
  /** The earliest time requested while a run was in progress. */
  private pendingAt = Infinity;
  private lastRun = -Infinity;
  private started = false;
  private stopped = false;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly fn: () => Promise<void> | void,
    private readonly opts: BoundedFrequencyRunnerOptions,
  ) {
    this.log = (opts.logger ?? silentLogger).child(name);
    this.now = opts.now ?? Date.now;
  }

  /** Starts the loop: the first run happens at once. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.requestAt(this.now());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Asks for a run as soon as the minimum interval allows. */
  run(): void {
    this.requestAt(this.now());
  }

  /** Asks for a run after the given delay (upstream RetryAfter), unless one comes sooner. */
  retryAfter(ms: number): void {
    this.requestAt(this.now() + ms);
  }

  /** Resolves when no run is in progress and none is due before the next periodic one. */
  idle(): Promise<void> {
    if (!this.running && this.pendingAt === Infinity && this.timerAt - this.now() >= this.opts.maxIntervalMs - 1) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private requestAt(at: number): void {
    if (this.stopped) return;
    if (!this.started) {
      // Requests before start() are remembered; start() runs at once anyway.
      return;
    }
    if (this.running) {
      this.pendingAt = Math.min(this.pendingAt, at);
      return;
    }
    const when = Math.max(at, this.lastRun + this.opts.minIntervalMs);
    if (this.timer && this.timerAt <= when) return;
    clearTimeout(this.timer);
    this.timerAt = when;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, when - this.now()));
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped) return;
    this.running = true;
    this.lastRun = this.now();
    let failed = false;
    try {
      await this.fn();
    } catch (e) {
      failed = true;
      this.log.error('run failed', { err: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
    this.running = false;
    const pending = this.pendingAt;
    this.pendingAt = Infinity;
    this.requestAt(this.now() + this.opts.maxIntervalMs);
    if (failed) this.requestAt(this.now() + (this.opts.retryIntervalMs ?? Math.max(this.opts.minIntervalMs, this.opts.maxIntervalMs / 10)));
    if (pending !== Infinity) this.requestAt(pending);
    if (this.timerAt - this.now() >= this.opts.maxIntervalMs - 1) for (const w of this.idleWaiters.splice(0)) w();
  }
}
