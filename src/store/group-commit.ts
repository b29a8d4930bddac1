// Group commit (a database's group commit, etcd's batched backend commits): a write is
// appended to the log at once, but acknowledged only after a sync (fsync) that began
// after it was appended has completed. One sync runs at a time, off the event loop; the
// writes appended while it runs wait for the next one, which then covers all of them. So
// under load one fsync serves many writes, the event loop never waits on the disk, and no
// write is acknowledged before it is durable. Writes are acknowledged in the order they
// were added.
//
// A failed sync leaves the log's durability unknown (Linux may drop the dirty pages it
// could not write), so it is final, like etcd's panic on a failed commit: every write not
// yet acknowledged and every later one fails with that error.

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommit<T> {
  private waiting: Pending<T>[] = [];
  private syncing = false;
  private scheduled = false;
  private failure?: unknown;
  private readonly idle: Array<() => void> = [];

  /**
   * sync makes everything appended so far durable; acknowledge is called with the items a
   * sync covered, in order, before their add() promises resolve. schedule decides when a
   * sync starts once one is wanted: by default after the current event-loop turn, so the
   * writes of one turn share it.
   */
  constructor(
    private readonly sync: () => Promise<void>,
    private readonly acknowledge: (items: readonly T[]) => void,
    private readonly schedule: (run: () => void) => void = (run) => setImmediate(run),
  ) {}

  /** The error of a failed sync, after which nothing is acknowledged any more. */
  get failed(): unknown {
    return this.failure;
  }

  /**
   * Registers a write already appended to the log. Resolves once a sync begun after this
   * call has completed and the write was acknowledged; rejects if that sync (or an
   * earlier one) failed.
   */
  add(item: T): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.want();
    });
  }

  /** Resolves once every write added so far is acknowledged or failed (closing). */
  drain(): Promise<void> {
    if (!this.syncing && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private want(): void {
    if (this.syncing || this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.syncing || this.waiting.length === 0) return;
    this.syncing = true;
    const batch = this.waiting;
    this.waiting = [];
    try {
      await this.sync();
    } catch (err) {
      this.failure = err;
      for (const w of [...batch, ...this.waiting.splice(0)]) w.reject(err);
      this.syncing = false;
      this.settleIdle();
      return;
    }
    this.syncing = false;
    try {
      this.acknowledge(batch.map((w) => w.item));
    } finally {
      for (const w of batch) w.resolve();
    }
    if (this.waiting.length > 0) this.want();
    else this.settleIdle();
  }

  private settleIdle(): void {
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
