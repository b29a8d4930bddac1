// etcd's ErrFutureRev ("mvcc: required revision is a future revision"): a list or compaction
// asked for a revision the store has not reached yet. The API server turns it into the
// "Too large resource version" timeout for reads.
export class FutureRevisionError extends Error {
  constructor(readonly requested: number, readonly current: number) {
    super(`required revision ${requested} is a future revision (current: ${current})`);
    this.name = 'FutureRevisionError';
  }
}
