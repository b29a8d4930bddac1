// A range bitmap split into a static (lower) and a dynamic (upper) band, as
// pkg/registry/core/service/allocator/bitmap.go's randomScanStrategyWithOffset.
// KEP-3070 (ClusterIPs) and KEP-3668 (NodePorts): dynamic allocation picks from the
// upper band first so users can pick values from the lower band with little risk of
// collision, and only falls back to the lower band when the upper one is full.

/** Returns an integer in [0, n). Injected so tests can make choices deterministic. */
export type RandomSource = (n: number) => number;

export const mathRandom: RandomSource = (n) => Math.floor(Math.random() * n);

/**
 * min(max(min, size/step), max), or 0 (no static band) when size <= min — the
 * calculateRangeOffset of both ipallocator and portallocator.
 */
export function staticBandOffset(size: number, min: number, max: number, step: number): number {
  if (size <= min) return 0;
  const offset = Math.floor(size / step);
  if (offset < min) return min;
  if (offset > max) return max;
  return offset;
}

/** KEP-3070: the CIDR size includes the network and broadcast addresses. */
export const clusterIPStaticBand = (cidrSize: number): number => staticBandOffset(cidrSize, 16, 256, 16);

/** KEP-3668: 30000-32767 (2768 ports) → 86, i.e. 30000-30085 is the static band. */
export const nodePortStaticBand = (rangeSize: number): number => staticBandOffset(rangeSize, 16, 128, 32);

export class BitmapAllocator {
  private readonly bits: Uint32Array;
  private count = 0;

  /**
   * @param size number of values, offsets 0…size-1
   * @param offset first offset of the dynamic band (0: one band)
   */
  constructor(
    readonly size: number,
    readonly offset: number,
    private readonly random: RandomSource = mathRandom,
  ) {
    if (offset < 0 || (offset >= size && size > 0)) throw new RangeError(`offset ${offset} out of range for size ${size}`);
    this.bits = new Uint32Array(Math.ceil(size / 32));
  }

  has(i: number): boolean {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) return false;
    return (this.bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Allocates a specific offset (either band). False when already taken. */
  allocate(i: number): boolean {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`offset ${i} out of range [0, ${this.size})`);
    if (this.has(i)) return false;
    this.bits[i >>> 5] |= 1 << (i & 31);
    this.count++;
    return true;
  }

  /** Random free offset, upper band first; undefined when the whole range is full. */
  allocateNext(): number | undefined {
    if (this.count >= this.size) return undefined;
    const at = this.scan(this.offset, this.size) ?? this.scan(0, this.offset);
    if (at !== undefined) this.allocate(at);
    return at;
  }

  release(i: number): void {
    if (!this.has(i)) return;
    this.bits[i >>> 5] &= ~(1 << (i & 31));
    this.count--;
  }

  used(): number {
    return this.count;
  }

  free(): number {
    return this.size - this.count;
  }

  /** Allocated offsets in ascending order. */
  *allocated(): IterableIterator<number> {
    for (let w = 0; w < this.bits.length; w++) {
      const word = this.bits[w];
      if (word === 0) continue;
      for (let b = 0; b < 32; b++) if (word & (1 << b)) yield w * 32 + b;
    }
  }

  clear(): void {
    this.bits.fill(0);
    this.count = 0;
  }

  /** Scans [from, to) circularly from a random start. */
  private scan(from: number, to: number): number | undefined {
    const n = to - from;
    if (n <= 0) return undefined;
    const start = this.random(n);
    for (let i = 0; i < n; i++) {
      const at = from + ((start + i) % n);
      if (!this.has(at)) return at;
    }
    return undefined;
  }
}

export type AllocationErrorKind = 'OutOfRange' | 'Allocated' | 'Full' | 'Invalid';

/**
 * An allocator's refusal (upstream's ErrNotInRange / ErrAllocated / ErrFull). Not an
 * API error: the Service registry wraps `detail` into a field.invalid (or an
 * Internal error for Full), exactly as storage/alloc.go does.
 */
export class AllocationError extends Error {
  constructor(
    readonly kind: AllocationErrorKind,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'AllocationError';
  }
}
