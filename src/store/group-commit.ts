// Group commit (etcd's batched backend commits, a database's group commit): writes issued
// in the same turn of the event loop are committed together, in the order they were
// issued, by one durable transaction, and each write is acknowledged only once that
// transaction is committed. One fsync then serves many writes, so a burst of API writes
// costs one disk flush instead of one each, and no write is acknowledged before it is
// durable. A key is written at most once per batch: a second write to it first commits
// the batch holding the first (flush), so its compare-and-swap checks the committed value
// and writes still commit in the order they were issued.

export type CommitBatch<T> = (items: readonly T[]) => void;

interface Batch<T> {
  items: T[];
  keys: Set<string>;
  waiters: Array<{ resolve(): void; reject(err: unknown): void }>;
}

export class GroupCommit<T> {
  private batch?: Batch<T>;

  /**
   * commit runs the batch's items in one transaction and throws if it did not commit (then
   * every write of the batch fails with that error). schedule decides when an open batch
   * is committed: by default after the I/O callbacks of the current loop turn.
   */
  constructor(
    private readonly commit: CommitBatch<T>,
    private readonly schedule: (run: () => void) => void = (run) => setImmediate(run),
  ) {}

  /** How many writes the open batch holds (a new write's revision is the committed one plus this plus one). */
  get size(): number {
    return this.batch?.items.length ?? 0;
  }

  /** Whether the open batch writes key: a new write of it must flush() first. */
  busy(key: string): boolean {
    return this.batch?.keys.has(key) ?? false;
  }

  /**
   * Adds a write of key to the open batch (the caller checked busy(key) and the write
   * against the committed state in the same synchronous step). Resolves once the batch has
   * committed; rejects with the commit's error.
   */
  add(key: string, item: T): Promise<void> {
    const batch = this.batch ?? this.open();
    if (batch.keys.has(key)) throw new Error(`group commit: ${key} is already written in this batch`);
    batch.keys.add(key);
    batch.items.push(item);
    return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
  }

  /** Commits the open batch now (a key is written again, or the store is closing). */
  flush(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    try {
      this.commit(batch.items);
    } catch (err) {
      for (const w of batch.waiters) w.reject(err);
      return;
    }
    for (const w of batch.waiters) w.resolve();
  }

  private open(): Batch<T> {
    const batch: Batch<T> = { items: [], keys: new Set(), waiters: [] };
    this.batch = batch;
    this.schedule(() => {
      if (this.batch === batch) this.flush();
    });
    return batch;
  }
}
