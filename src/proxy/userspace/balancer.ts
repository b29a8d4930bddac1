// Endpoint choice for a new connection of one Service port. kube-proxy's iptables and
// nftables backends pick uniformly at random; kanzen defaults to round robin so that
// repeated requests visibly rotate (the tutorial's "Pod 1, Pod 3, Pod 2 …"), in the
// endpoints' stable order ("ip:port", as upstream sorts them).
import type { BalanceMode } from '../service-port.js';

export interface Balanceable {
  /** Open connections (TCP) or flows (UDP) to this endpoint through this Service port. */
  readonly active: number;
}

export interface Balancer {
  readonly mode: BalanceMode;
  /** Picks one of a non-empty list. */
  pick<T extends Balanceable>(endpoints: readonly T[]): T;
}

class RoundRobin implements Balancer {
  readonly mode = 'round-robin';
  private next = 0;
  pick<T extends Balanceable>(endpoints: readonly T[]): T {
    if (this.next >= endpoints.length) this.next = 0;
    return endpoints[this.next++];
  }
}

class RandomChoice implements Balancer {
  readonly mode = 'random';
  constructor(private readonly random: () => number) {}
  pick<T extends Balanceable>(endpoints: readonly T[]): T {
    return endpoints[Math.floor(this.random() * endpoints.length) % endpoints.length];
  }
}

/** Fewest open connections; ties rotate, so idle endpoints share new connections evenly. */
class LeastConnections implements Balancer {
  readonly mode = 'least-connections';
  private start = 0;
  pick<T extends Balanceable>(endpoints: readonly T[]): T {
    const n = endpoints.length;
    if (this.start >= n) this.start = 0;
    let best = endpoints[this.start];
    for (let i = 1; i < n; i++) {
      const ep = endpoints[(this.start + i) % n];
      if (ep.active < best.active) best = ep;
    }
    this.start++;
    return best;
  }
}

export function newBalancer(mode: BalanceMode, random: () => number = Math.random): Balancer {
  switch (mode) {
    case 'random':
      return new RandomChoice(random);
    case 'least-connections':
      return new LeastConnections();
    default:
      return new RoundRobin();
  }
}
