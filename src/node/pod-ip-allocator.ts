// A node's pod IP allocator: the part of CNI host-local IPAM that kanzen needs. Each node
// owns one /24 of the cluster pod CIDR (spec.podCIDR); the first host address (.1) is the
// node bridge's gateway, pods get .2 upward. Like host-local, allocation continues after
// the last address handed out and wraps around, so an address that was just released is
// the last one to be reused: a pod that is deleted and recreated gets a new IP, as the
// tutorial shows. Owners are pod UIDs, so a recreated pod with the same name is a new owner.
//
// The allocator keeps no state on disk: a node agent that restarts rebuilds it from the
// podIPs its pods already report (reserve), then resumes after the highest one (host-local
// remembers its last reserved IP in a file; the highest reserved address is the closest
// thing the API can tell us).
import { formatIPv4, parseCIDR, parseIPv4 } from '../api/ipv4.js';

export class PodIPAllocator {
  /** The CIDR in canonical form, e.g. 10.244.1.0/24. */
  readonly cidr: string;
  /** The node bridge's address, the pods' default gateway (host-local's default gateway is the first address). */
  readonly gateway: string;
  private readonly network: number;
  /** Offsets (from the network address) of the first and last address pods may get. */
  private readonly first: number;
  private readonly last: number;
  private readonly byOwner = new Map<string, number>();
  private readonly owners = new Map<number, string>();
  /** The offset handed out last; the next search starts after it. */
  private cursor: number;

  constructor(cidr: string) {
    const c = parseCIDR(cidr);
    if (c.prefix > 30) throw new Error(`pod CIDR ${cidr} is too small: need at least a /30`);
    this.cidr = c.text;
    this.network = c.network;
    this.gateway = formatIPv4(c.network + 1);
    this.first = 2;
    // The broadcast address is never a pod's.
    this.last = c.size - 2;
    this.cursor = this.first - 1;
  }

  /** How many addresses pods can have in this range. */
  get capacity(): number {
    return this.last - this.first + 1;
  }

  get allocated(): number {
    return this.byOwner.size;
  }

  ipOf(owner: string): string | undefined {
    const off = this.byOwner.get(owner);
    return off === undefined ? undefined : formatIPv4(this.network + off);
  }

  /** The owner's address: the one it holds, else the next free one after the last handed out; undefined when the range is full. */
  allocate(owner: string): string | undefined {
    const held = this.ipOf(owner);
    if (held) return held;
    const n = this.capacity;
    for (let i = 1; i <= n; i++) {
      const off = this.first + ((this.cursor - this.first + i) % n);
      if (this.owners.has(off)) continue;
      this.take(owner, off);
      this.cursor = off;
      return formatIPv4(this.network + off);
    }
    return undefined;
  }

  /**
   * Records that owner already has ip (a pod re-adopted after a restart). False when the
   * address is outside the pods' part of the range or another owner holds it.
   */
  reserve(owner: string, ip: string): boolean {
    const off = this.offsetOf(ip);
    if (off === undefined) return false;
    const holder = this.owners.get(off);
    if (holder !== undefined) return holder === owner;
    this.release(owner);
    this.take(owner, off);
    if (off > this.cursor) this.cursor = off;
    return true;
  }

  release(owner: string): void {
    const off = this.byOwner.get(owner);
    if (off === undefined) return;
    this.byOwner.delete(owner);
    this.owners.delete(off);
  }

  /** Whether ip is an address this allocator hands out (not network, gateway or broadcast). */
  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  private offsetOf(ip: string): number | undefined {
    const n = parseIPv4(ip);
    if (n === undefined) return undefined;
    const off = n - this.network;
    return off >= this.first && off <= this.last ? off : undefined;
  }

  private take(owner: string, off: number): void {
    this.byOwner.set(owner, off);
    this.owners.set(off, owner);
  }
}
