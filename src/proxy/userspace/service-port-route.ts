// The forwarding state of one Service port in the userspace backend: the endpoints
// eligible for internal (ClusterIP) and external (NodePort, externalIPs, LoadBalancer
// IPs) traffic as topology.ts decided, the balancer and the ClientIP affinity table.
// Listeners hold a reference to their route, so a new connection finds its endpoint
// without any lookup by address; a sync mutates the route in place.
import type { EndpointInfo } from '../endpoint.js';
import { EndpointStats, ServicePortStats, type StatsSource } from '../metrics.js';
import type { BalanceMode, ServicePortInfo } from '../service-port.js';
import { newBalancer, type Balanceable, type Balancer } from './balancer.js';
import { ClientIPAffinity } from './session-affinity.js';

/** What the proxier hands a backend for one Service port. */
export interface ServicePortProgram {
  info: ServicePortInfo;
  /** Eligible for traffic to ClusterIPs. */
  internal: readonly EndpointInfo[];
  /** Eligible for traffic to NodePorts, externalIPs and LoadBalancer IPs. */
  external: readonly EndpointInfo[];
  /** Some endpoint exists in the cluster: no eligible endpoint then means drop, not reject. */
  hasAnyEndpoints: boolean;
  /** Endpoint keys still serving: UDP flows to any other endpoint are cleared. */
  serving: ReadonlySet<string>;
}

export class RouteEndpoint implements Balanceable {
  /** False once the endpoint left the Service; kept while connections remain. */
  present = true;
  constructor(
    public info: EndpointInfo,
    readonly stats: EndpointStats,
  ) {}
  get active(): number {
    return this.stats.activeConnections;
  }
}

/** No endpoint anywhere: refuse at once (kube-proxy REJECT). */
export const reject = 'reject';
/** Endpoints exist but none for this traffic on this node (Local policy): black-hole (kube-proxy DROP). */
export const drop = 'drop';
export type RouteDecision = RouteEndpoint | typeof reject | typeof drop;

export class ServicePortRoute implements StatsSource {
  info: ServicePortInfo;
  readonly stats: ServicePortStats;
  internal: RouteEndpoint[] = [];
  external: RouteEndpoint[] = [];
  hasAnyEndpoints = false;
  readonly endpoints = new Map<string, RouteEndpoint>();
  private balancer: Balancer;
  private affinity?: ClientIPAffinity<RouteEndpoint>;

  constructor(
    program: ServicePortProgram,
    private readonly defaultBalance: BalanceMode,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {
    const n = program.info.name;
    this.info = program.info;
    this.stats = new ServicePortStats(n.namespace, n.name, n.port, n.protocol);
    this.balancer = newBalancer(program.info.balance ?? defaultBalance, random);
    this.program(program);
  }

  program(p: ServicePortProgram): void {
    this.info = p.info;
    const mode = p.info.balance ?? this.defaultBalance;
    if (this.balancer.mode !== mode) this.balancer = newBalancer(mode, this.random);
    const timeoutMs = p.info.stickyMaxAgeSeconds * 1000;
    if (!timeoutMs) this.affinity = undefined;
    else if (this.affinity?.timeoutMs !== timeoutMs) this.affinity = new ClientIPAffinity(timeoutMs, this.now);
    const wanted = new Set<string>();
    const resolve = (info: EndpointInfo): RouteEndpoint => {
      wanted.add(info.key);
      let ep = this.endpoints.get(info.key);
      if (!ep) this.endpoints.set(info.key, (ep = new RouteEndpoint(info, new EndpointStats(info.key))));
      ep.info = info;
      ep.present = true;
      return ep;
    };
    this.internal = p.internal.map(resolve);
    this.external = p.external.map(resolve);
    this.hasAnyEndpoints = p.hasAnyEndpoints;
    for (const [key, ep] of this.endpoints) {
      if (wanted.has(key)) continue;
      ep.present = false;
      if (ep.active === 0) this.endpoints.delete(key);
    }
  }

  /**
   * The endpoint for a new connection from clientIP, or why there is none. clientIP may be
   * a function: it is then called only with ClientIP affinity (a TCP peer address costs a
   * getpeername(2) per connection that plain balancing does not need).
   */
  choose(clientIP: string | (() => string), external: boolean): RouteDecision {
    const eligible = external ? this.external : this.internal;
    if (eligible.length === 0) return this.hasAnyEndpoints ? drop : reject;
    if (this.affinity) {
      const ip = typeof clientIP === 'string' ? clientIP : clientIP();
      const pinned = this.affinity.lookup(ip, eligible);
      if (pinned) return pinned;
      const ep = this.balancer.pick(eligible);
      this.affinity.record(ip, ep);
      return ep;
    }
    return this.balancer.pick(eligible);
  }

  /**
   * Another endpoint for a connection whose connect to each of `tried` failed (refused,
   * reset, unreachable): the next eligible endpoint after the last one tried, in the
   * endpoints' order, that was not tried yet; undefined when none is left. The old
   * userspace kube-proxy did the same (NextEndpoint on a dial error, up to the number of
   * endpoints), as does HAProxy's `option redispatch`: a client gets a refusal only when
   * no endpoint takes it. The balancer is left alone, so the rotation of later
   * connections is unchanged. A ClientIP pin to the failed endpoint is dropped, as
   * upstream's sessionAffinityReset did, so the client's next connection starts afresh.
   */
  chooseAfterFailure(tried: readonly RouteEndpoint[], external: boolean): RouteEndpoint | undefined {
    const eligible = external ? this.external : this.internal;
    const last = tried[tried.length - 1];
    this.affinity?.forgetEndpoint(last);
    const n = eligible.length;
    const from = eligible.indexOf(last);
    for (let i = 1; i <= n; i++) {
      const ep = eligible[(from + i) % n];
      if (!tried.includes(ep)) return ep;
    }
    return undefined;
  }

  connectionOpened(ep: RouteEndpoint): void {
    ep.stats.activeConnections++;
    ep.stats.totalConnections++;
    this.stats.activeConnections++;
    this.stats.totalConnections++;
  }

  /** A connection whose connect to `from` failed goes on to `to` (one connection of the Service port still). */
  connectionMoved(from: RouteEndpoint, to: RouteEndpoint): void {
    this.connectionClosed(from);
    this.stats.activeConnections++;
    to.stats.activeConnections++;
    to.stats.totalConnections++;
  }

  connectionClosed(ep: RouteEndpoint): void {
    ep.stats.activeConnections--;
    this.stats.activeConnections--;
    if (!ep.present && ep.stats.activeConnections === 0 && this.endpoints.get(ep.info.key) === ep) this.endpoints.delete(ep.info.key);
  }

  /** True when new connections may still go to an endpoint with this IP (and port). */
  routesTo(ip: string, port?: number): boolean {
    const match = (ep: RouteEndpoint) => ep.info.ip === ip && (port === undefined || ep.info.port === port);
    return this.internal.some(match) || this.external.some(match);
  }

  sweepAffinity(): void {
    this.affinity?.sweep();
  }

  endpointStats(): Iterable<EndpointStats> {
    return [...this.endpoints.values()].map((e) => e.stats);
  }
}
