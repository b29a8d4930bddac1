// Read buffers for the endpoint side of TCP connections, reused across connections so
// forwarding allocates nothing per chunk (net.connect's `onread` reads into them).
export class BufferPool {
  private readonly free: Buffer[] = [];
  constructor(
    readonly bufferSize = 64 * 1024,
    private readonly maxFree = 256,
  ) {}
  acquire(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.bufferSize);
  }
  release(buf: Buffer): void {
    if (this.free.length < this.maxFree) this.free.push(buf);
  }
}
