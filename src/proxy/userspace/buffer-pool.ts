// Read buffers of proxied TCP connections (one per direction), reused across connections
// so forwarding allocates nothing per chunk (the handles read into them: useUserBuffer).
// 16 KiB, HAProxy's default tune.bufsize: an idle connection holds 32 KiB, and a bulk
// transfer costs one read and one write per 16 KiB.
export class BufferPool {
  private readonly free: Buffer[] = [];
  constructor(
    readonly bufferSize = 16 * 1024,
    private readonly maxFree = 1024,
  ) {}
  acquire(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.bufferSize);
  }
  release(buf: Buffer): void {
    if (this.free.length < this.maxFree) this.free.push(buf);
  }
}
