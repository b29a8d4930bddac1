// The Service NodePort allocator, as pkg/registry/core/service/portallocator.
//
// One nodePort number is one allocation, whatever the protocol: a Service exposing
// port 53 over both TCP and UDP gets the same nodePort for both entries (upstream's
// initNodePorts keeps a port→nodePort map), so the registry must call allocate() or
// allocateNext() once per distinct nodePort of a Service and reuse the result for the
// other protocol — calling allocate() again for the same number would fail with
// "provided port is already allocated". service-allocation.ts does exactly that.
import { AllocationError, BitmapAllocator, mathRandom, nodePortStaticBand, type RandomSource } from './bitmap-allocator.js';

export { AllocationError } from './bitmap-allocator.js';

export const defaultNodePortRange = '30000-32767';

export interface PortRange {
  base: number;
  size: number;
}

/**
 * utilnet.ParsePortRange (--service-node-port-range): "30000-32767", "30000+2767" or a
 * single port. Configuration errors, so plain Errors with upstream's text.
 */
export function parsePortRange(value: string): PortRange {
  const v = value.trim();
  if (v === '') return { base: 0, size: 0 };
  const hyphen = v.indexOf('-');
  const plus = v.indexOf('+');
  const atoi = (s: string): number => {
    if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
    return Number(s);
  };
  let low: number;
  let high: number;
  if (hyphen === -1 && plus === -1) {
    low = high = atoi(v);
  } else if (hyphen !== -1 && plus === -1) {
    low = atoi(v.slice(0, hyphen));
    high = atoi(v.slice(hyphen + 1));
  } else if (plus !== -1 && hyphen === -1) {
    low = atoi(v.slice(0, plus));
    high = low + atoi(v.slice(plus + 1));
  } else {
    throw new Error(`unable to parse port range: ${v}`);
  }
  if (low > 65535 || high > 65535) throw new Error(`the port range cannot be greater than 65535: ${v}`);
  if (high < low) throw new Error(`end port cannot be less than start port: ${v}`);
  return { base: low, size: 1 + high - low };
}

/** net.PortRange.String(). */
export function portRangeString(pr: PortRange): string {
  return pr.size === 0 ? '' : `${pr.base}-${pr.base + pr.size - 1}`;
}

export class NodePortAllocator {
  /** e.g. "30000-32767" */
  readonly portRange: string;
  readonly base: number;
  private readonly bitmap: BitmapAllocator;

  constructor(range: string = defaultNodePortRange, random: RandomSource = mathRandom) {
    const pr = parsePortRange(range);
    this.base = pr.base;
    this.portRange = portRangeString(pr);
    this.bitmap = new BitmapAllocator(pr.size, nodePortStaticBand(pr.size), random);
  }

  /** Number of ports in the static (lower) band: base … base+staticBand-1. */
  get staticBand(): number {
    return this.bitmap.offset;
  }

  contains(port: number): boolean {
    const off = port - this.base;
    return Number.isInteger(port) && off >= 0 && off < this.bitmap.size;
  }

  has(port: number): boolean {
    return this.contains(port) && this.bitmap.has(port - this.base);
  }

  /** Why allocate(port) would fail, without allocating (also serves dry runs). */
  check(port: number): AllocationError | undefined {
    if (!this.contains(port)) {
      return new AllocationError('OutOfRange', `provided port is not in the valid range. The range of valid ports is ${this.portRange}`);
    }
    if (this.bitmap.has(port - this.base)) return new AllocationError('Allocated', 'provided port is already allocated');
    return undefined;
  }

  /** Reserves a specific port (either band); throws AllocationError with upstream's text. */
  allocate(port: number): void {
    const err = this.check(port);
    if (err) throw err;
    this.bitmap.allocate(port - this.base);
  }

  /** A random free port, dynamic (upper) band first; throws AllocationError('Full', 'range is full'). */
  allocateNext(): number {
    const off = this.bitmap.allocateNext();
    if (off === undefined) throw new AllocationError('Full', 'range is full');
    return this.base + off;
  }

  /** Releasing a port outside the range or not allocated is a no-op, as upstream. */
  release(port: number): void {
    if (this.contains(port)) this.bitmap.release(port - this.base);
  }

  used(): number {
    return this.bitmap.used();
  }

  free(): number {
    return this.bitmap.free();
  }

  allocated(): number[] {
    return [...this.bitmap.allocated()].map((off) => this.base + off);
  }

  clear(): void {
    this.bitmap.clear();
  }
}
