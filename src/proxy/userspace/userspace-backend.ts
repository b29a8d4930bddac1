// The userspace backend: real sockets on every address of every Service port (like
// kube-proxy's historical userspace mode, with kanzen's choice of balancing). One route
// per Service port; listeners are opened and closed only for the Service ports a sync
// touched, and existing connections are never cut by a sync.
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import type { StatsSource } from '../metrics.js';
import type { ProxyBackend } from '../provider.js';
import type { BalanceMode } from '../service-port.js';
import { BufferPool } from './buffer-pool.js';
import { ServicePortRoute, type ServicePortProgram } from './service-port-route.js';
import { TcpServiceListener } from './tcp-listener.js';
import { UdpServiceListener } from './udp-listener.js';

export interface UserspaceBackendOptions {
  /** Addresses NodePorts listen on (node IPs, plus host-access addresses such as 127.0.0.1). */
  nodePortAddresses: readonly string[];
  /** Maps a virtual IP (ClusterIP, externalIP, LoadBalancer IP) to the address to listen on. Default: itself. */
  listenAddressFor?: (virtualIP: string) => string;
  balance?: BalanceMode;
  logger?: Logger;
  now?: () => number;
  random?: () => number;
  /** UDP flow idle timeout (conntrack's nf_conntrack_udp_timeout_stream is 120 s, plain 30 s). */
  udpIdleTimeoutMs?: number;
  /** How long a dropped TCP connection is held silent before it is closed. */
  dropTimeoutMs?: number;
}

type Listener = TcpServiceListener | UdpServiceListener;

interface DesiredListener {
  address: string;
  port: number;
  external: boolean;
}

export class UserspaceBackend implements ProxyBackend {
  private readonly routes = new Map<string, ServicePortRoute>();
  private readonly listeners = new Map<string, { listener: Listener; routeKey: string }>();
  private readonly listenersOfRoute = new Map<string, Set<string>>();
  private readonly live = new Set<{ destroy(): void }>();
  private readonly pool = new BufferPool();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly udpIdleTimeoutMs: number;
  private readonly housekeeping: NodeJS.Timeout;

  constructor(private readonly opts: UserspaceBackendOptions) {
    this.log = (opts.logger ?? silentLogger).child('userspace');
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.udpIdleTimeoutMs = opts.udpIdleTimeoutMs ?? 30_000;
    this.housekeeping = setInterval(() => this.sweep(), Math.max(50, Math.min(this.udpIdleTimeoutMs / 2, 5000)));
    this.housekeeping.unref();
  }

  async syncServicePort(key: string, program: ServicePortProgram | undefined): Promise<void> {
    if (!program) {
      this.closeListeners(key, new Set());
      this.routes.delete(key);
      return;
    }
    let route = this.routes.get(key);
    if (route) route.program(program);
    else {
      route = new ServicePortRoute(program, this.opts.balance ?? 'round-robin', this.now, this.random);
      this.routes.set(key, route);
    }
    const desired = this.desiredListeners(program);
    const keep = new Set(desired.keys());
    this.closeListeners(key, keep);
    const errors: string[] = [];
    const owned = this.listenersOfRoute.get(key) ?? new Set<string>();
    this.listenersOfRoute.set(key, owned);
    await Promise.all(
      [...desired].map(async ([lkey, d]) => {
        const existing = this.listeners.get(lkey);
        if (existing) {
          if (existing.routeKey !== key) {
            errors.push(`${lkey} is already used by ${existing.routeKey}`);
            return;
          }
          if (existing.listener.external === d.external) return;
          existing.listener.close();
          this.listeners.delete(lkey);
          owned.delete(lkey);
        }
        const listener: Listener =
          program.info.protocol === 'UDP'
            ? new UdpServiceListener(d.address, d.port, route, d.external, this.now, this.log)
            : new TcpServiceListener(d.address, d.port, route, d.external, {
                pool: this.pool,
                live: this.live,
                dropTimeoutMs: this.opts.dropTimeoutMs ?? 30_000,
                logger: this.log,
              });
        this.listeners.set(lkey, { listener, routeKey: key });
        owned.add(lkey);
        try {
          await listener.listen();
        } catch (e) {
          listener.close();
          if (this.listeners.get(lkey)?.listener === listener) this.listeners.delete(lkey);
          owned.delete(lkey);
          errors.push(`${lkey}: ${(e as Error).message}`);
        }
      }),
    );
    if (program.info.protocol === 'UDP') {
      for (const lkey of owned) {
        const l = this.listeners.get(lkey)?.listener;
        if (l instanceof UdpServiceListener) l.clearStaleFlows(program.serving);
      }
    }
    if (errors.length) throw new Error(`${key}: ${errors.join('; ')}`);
  }

  routesNewConnectionsTo(ip: string, port?: number): boolean {
    for (const r of this.routes.values()) if (r.routesTo(ip, port)) return true;
    return false;
  }

  programmedServicePorts(): Iterable<string> {
    return this.routes.keys();
  }

  statsSources(): Iterable<StatsSource> {
    return this.routes.values();
  }

  /** The route of a Service port (tests and diagnostics). */
  route(key: string): ServicePortRoute | undefined {
    return this.routes.get(key);
  }

  async stop(): Promise<void> {
    clearInterval(this.housekeeping);
    for (const { listener } of this.listeners.values()) listener.close();
    this.listeners.clear();
    this.listenersOfRoute.clear();
    for (const c of this.live) c.destroy();
    this.live.clear();
    this.routes.clear();
  }

  private desiredListeners(p: ServicePortProgram): Map<string, DesiredListener> {
    const out = new Map<string, DesiredListener>();
    const proto = p.info.protocol;
    const mapIP = this.opts.listenAddressFor ?? ((ip: string) => ip);
    const add = (address: string, port: number, external: boolean) => {
      const lkey = `${proto}|${address}|${port}`;
      if (!out.has(lkey)) out.set(lkey, { address, port, external });
    };
    for (const ip of p.info.clusterIPs) add(mapIP(ip), p.info.port, false);
    if (p.info.nodePort) for (const a of this.opts.nodePortAddresses) add(a, p.info.nodePort, true);
    for (const ip of p.info.externalIPs) add(mapIP(ip), p.info.port, true);
    for (const ip of p.info.loadBalancerIPs) add(mapIP(ip), p.info.port, true);
    return out;
  }

  private closeListeners(routeKey: string, keep: Set<string>): void {
    const owned = this.listenersOfRoute.get(routeKey);
    if (!owned) return;
    for (const lkey of [...owned]) {
      if (keep.has(lkey)) continue;
      const entry = this.listeners.get(lkey);
      if (entry?.routeKey === routeKey) {
        entry.listener.close();
        this.listeners.delete(lkey);
      }
      owned.delete(lkey);
    }
    if (owned.size === 0 && keep.size === 0) this.listenersOfRoute.delete(routeKey);
  }

  private sweep(): void {
    for (const { listener } of this.listeners.values()) if (listener instanceof UdpServiceListener) listener.expireIdleFlows(this.udpIdleTimeoutMs);
    for (const r of this.routes.values()) r.sweepAffinity();
  }
}
