// Read buffers of proxied TCP connections (one per direction), reused across connections
// so forwarding allocates nothing per chunk (the handles read into them: useUserBuffer).
// 16 KiB, HAProxy's default tune.bufsize: an idle connection holds 32 KiB, and a bulk
// transfer costs one read and one write per 16 KiB.
//
// The free list follows demand: shrink() (called by the backend's housekeeping) keeps
// only as many free buffers as the busiest moment since the last call needed beyond
// those still in use, so after a connection storm the pool goes back to a few buffers
// instead of holding the storm's peak for good.
export class BufferPool {
  private readonly free: Buffer[] = [];
  private inUse = 0;
  /** Most buffers in use at once since the last shrink(). */
  private peak = 0;
  constructor(
    readonly bufferSize = 16 * 1024,
    private readonly maxFree = 1024,
    private readonly minFree = 16,
  ) {}
  acquire(): Buffer {
    if (++this.inUse > this.peak) this.peak = this.inUse;
    return this.free.pop() ?? Buffer.allocUnsafe(this.bufferSize);
  }
  release(buf: Buffer): void {
    this.inUse--;
    if (this.free.length < this.maxFree) this.free.push(buf);
  }
  /** Drops free buffers the last period did not need; returns how many buffers in all were given up since the peak. */
  shrink(): number {
    const keep = Math.max(this.minFree, Math.min(this.maxFree, this.peak - this.inUse));
    const shed = this.peak - this.inUse;
    if (this.free.length > keep) this.free.length = keep;
    this.peak = this.inUse;
    return shed;
  }
  get stats(): { inUse: number; free: number } {
    return { inUse: this.inUse, free: this.free.length };
  }
}
