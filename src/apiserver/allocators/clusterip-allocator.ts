// The Service ClusterIP allocator for one IPv4 CIDR, as
// pkg/registry/core/service/ipallocator (bitmap Range). The network address and the
// broadcast address are never handed out and cannot be allocated ("not in the valid
// range"), because upstream's bitmap starts at network+1 and stops before broadcast.
import { formatIPv4, parseCIDR, parseIPv4, type IPv4CIDR } from '../../api/ipv4.js';
import { AllocationError, BitmapAllocator, clusterIPStaticBand, mathRandom, type RandomSource } from './bitmap-allocator.js';

export { AllocationError } from './bitmap-allocator.js';
export type { AllocationErrorKind } from './bitmap-allocator.js';

export const defaultServiceCIDR = '10.96.0.0/12';

/** utilnet.GetIndexedIP: the n-th address of the CIDR (1 → 10.96.0.1, 10 → 10.96.0.10). */
export function serviceIPByIndex(cidr: string, n: number): string {
  const c = parseCIDR(cidr);
  if (!Number.isInteger(n) || n < 0 || n >= c.size) {
    throw new Error(`can't generate IP with index ${n} from subnet. subnet too small. subnet: ${c.text}`);
  }
  return formatIPv4(c.network + n);
}

export class ClusterIPAllocator {
  readonly cidr: string;
  private readonly net: IPv4CIDR;
  private readonly base: number;
  private readonly bitmap: BitmapAllocator;

  constructor(cidr: string = defaultServiceCIDR, random: RandomSource = mathRandom) {
    this.net = parseCIDR(cidr);
    this.cidr = this.net.text;
    this.base = this.net.network + 1;
    const max = Math.max(0, this.net.size - 2);
    this.bitmap = new BitmapAllocator(max, clusterIPStaticBand(this.net.size), random);
  }

  /** Size of the static (lower) band: the first `staticBand` usable addresses. */
  get staticBand(): number {
    return this.bitmap.offset;
  }

  /** Offset in the bitmap, or undefined when the IP is unparseable or outside the usable range. */
  private offsetOf(ip: string): number | undefined {
    const n = parseIPv4(ip);
    if (n === undefined) return undefined;
    const off = n - this.base;
    return off >= 0 && off < this.bitmap.size ? off : undefined;
  }

  /** Whether the IP is allocatable in this range (network/broadcast excluded). */
  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  has(ip: string): boolean {
    const off = this.offsetOf(ip);
    return off !== undefined && this.bitmap.has(off);
  }

  /**
   * Reserves a specific IP. Throws AllocationError whose detail is upstream's
   * `failed to allocate IP <ip>: <reason>` (storage/alloc.go wording).
   */
  allocate(ip: string): void {
    const reason = this.check(ip);
    if (reason) throw new AllocationError(reason.kind, `failed to allocate IP ${ip}: ${reason.text}`);
    this.bitmap.allocate(this.offsetOf(ip) as number);
  }

  /** Why allocate(ip) would fail, without allocating (also serves dry runs). */
  check(ip: string): { kind: 'OutOfRange' | 'Allocated' | 'Invalid'; text: string } | undefined {
    const n = parseIPv4(ip);
    const off = this.offsetOf(ip);
    if (off === undefined) {
      // Go formats an unparseable (nil) net.IP as "<nil>".
      const shown = n === undefined ? '<nil>' : formatIPv4(n);
      return {
        kind: n === undefined ? 'Invalid' : 'OutOfRange',
        text: `the provided IP (${shown}) is not in the valid range. The range of valid IPs is ${this.cidr}`,
      };
    }
    if (this.bitmap.has(off)) return { kind: 'Allocated', text: 'provided IP is already allocated' };
    return undefined;
  }

  /** A random free IP, upper band first. Throws AllocationError('Full', 'range is full'). */
  allocateNext(): string {
    const off = this.bitmap.allocateNext();
    if (off === undefined) throw new AllocationError('Full', 'range is full');
    return formatIPv4(this.base + off);
  }

  /** Releasing an IP outside the range or not allocated is a no-op, as upstream. */
  release(ip: string): void {
    const off = this.offsetOf(ip);
    if (off !== undefined) this.bitmap.release(off);
  }

  used(): number {
    return this.bitmap.used();
  }

  free(): number {
    return this.bitmap.free();
  }

  /** Allocated IPs in ascending order (for repair and diagnostics). */
  allocated(): string[] {
    return [...this.bitmap.allocated()].map((off) => formatIPv4(this.base + off));
  }

  clear(): void {
    this.bitmap.clear();
  }
}
