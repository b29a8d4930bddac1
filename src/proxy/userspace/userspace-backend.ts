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
import { connectionBudget, noFileLimit } from './fd-limit.js';
import { trimMemory } from './ip-transparent.js';
import { AcceptErrors, type AcceptErrorStats } from './socket-errors.js';
import type { StreamHandle } from './libuv-stream.js';
import { hostSocketKey, hostSocketsOf, type HostSocketAddress } from '../host-port-mappings.js';
import { ServicePortRoute, type ServicePortProgram } from './service-port-route.js';
import { TcpServiceListener, type ClientIPPolicy } from './tcp-listener.js';
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
  /** Client IP preservation (client-ip-policy.ts); absent: endpoints see the node's address. */
  preserveClientIP?: ClientIPPolicy;
  /** Asks for a host socket again that this node gave back (adoptHostSocket). */
  requestHostSocket?: (ip: string, port: number) => void;
  /** Most connections at once (default: from the open-file limit, fd-limit.ts). */
  maxConnections?: number;
  /**
   * Accept only on the host's sockets (adoptHostSocket), no listener of its own: the
   * nftables mode, where the kernel serves every address of the node (host-path-backend.ts).
   */
  hostSocketsOnly?: boolean;
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
  /** Host sockets ("ip:port" in the host's namespace) handed over by the daemon, and the route each serves. */
  private readonly hostListeners = new Map<string, TcpServiceListener>();
  private readonly hostRoutes = new Map<string, string>();
  private readonly hostKeysOfRoute = new Map<string, Set<string>>();
  /** Host sockets given back while this node has no endpoint for them (policy Local). */
  private readonly hostSocketsGivenBack = new Map<string, HostSocketAddress>();
  private readonly pool = new BufferPool();
  private readonly acceptErrorLog: AcceptErrors;
  private readonly maxConnections: number;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly udpIdleTimeoutMs: number;
  private readonly housekeeping: NodeJS.Timeout;
  /** Sweeps left that trim malloc's free memory after a storm. */
  private trimPending = 0;

  constructor(private readonly opts: UserspaceBackendOptions) {
    this.log = (opts.logger ?? silentLogger).child('userspace');
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.udpIdleTimeoutMs = opts.udpIdleTimeoutMs ?? 30_000;
    this.acceptErrorLog = new AcceptErrors(this.log, this.now);
    this.maxConnections = opts.maxConnections ?? connectionBudget(noFileLimit());
    this.housekeeping = setInterval(() => this.sweep(), Math.max(50, Math.min(this.udpIdleTimeoutMs / 2, 5000)));
    this.housekeeping.unref();
  }

  async syncServicePort(key: string, program: ServicePortProgram | undefined): Promise<void> {
    if (!program) {
      this.closeListeners(key, new Set());
      this.routes.delete(key);
      this.setHostKeys(key, []);
      return;
    }
    let route = this.routes.get(key);
    if (route) route.program(program);
    else {
      route = new ServicePortRoute(program, this.opts.balance ?? 'round-robin', this.now, this.random);
      this.routes.set(key, route);
    }
    this.setHostKeys(key, hostSocketsOf(program.info).map(hostSocketKey));
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
            : this.newTcpListener(d.address, d.port, route, d.external);
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

  /**
   * Accepts on a listening socket of the host's namespace (127.0.0.1:<nodePort>, a
   * LoadBalancer IP:port), which the daemon created there and passed to every node agent:
   * the host's traffic then crosses one proxy, as in the node, with no forwarding hop.
   * Connections go to whichever agent accepts first and are external traffic of its node.
   * Like a cloud load balancer that health-checks nodes (healthCheckNodePort), only nodes
   * that can serve take host traffic: a node whose Service has externalTrafficPolicy
   * Local and no endpoint here closes its copy, and asks for it again once it has one.
   */
  adoptHostSocket(ip: string, port: number, handle: StreamHandle): void {
    const hk = hostSocketKey({ ip, port });
    this.hostListeners.get(hk)?.close();
    this.hostSocketsGivenBack.delete(hk);
    const listener = this.newTcpListener(ip, port, undefined, true);
    listener.adopt(handle);
    this.hostListeners.set(hk, listener);
    this.bindHostListener(hk);
  }

  /** The daemon closed a host socket: this agent's copy closes too. */
  releaseHostSocket(ip: string, port: number): void {
    const hk = hostSocketKey({ ip, port });
    this.hostListeners.get(hk)?.close();
    this.hostListeners.delete(hk);
    this.hostSocketsGivenBack.delete(hk);
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

  acceptErrors(): AcceptErrorStats {
    return this.acceptErrorLog.stats;
  }

  /** The route of a Service port (tests and diagnostics). */
  route(key: string): ServicePortRoute | undefined {
    return this.routes.get(key);
  }

  async stop(): Promise<void> {
    clearInterval(this.housekeeping);
    for (const { listener } of this.listeners.values()) listener.close();
    this.listeners.clear();
    for (const l of this.hostListeners.values()) l.close();
    this.hostListeners.clear();
    this.listenersOfRoute.clear();
    for (const c of this.live) c.destroy();
    this.live.clear();
    this.routes.clear();
  }

  private newTcpListener(address: string, port: number, route: ServicePortRoute | undefined, external: boolean): TcpServiceListener {
    return new TcpServiceListener(address, port, route, external, {
      pool: this.pool,
      acceptErrors: this.acceptErrorLog,
      live: this.live,
      maxConnections: this.maxConnections,
      dropTimeoutMs: this.opts.dropTimeoutMs ?? 30_000,
      preserveClientIP: this.opts.preserveClientIP,
    });
  }

  /** Records which host sockets a route serves and points those listeners at it. */
  private setHostKeys(routeKey: string, keys: string[]): void {
    const old = this.hostKeysOfRoute.get(routeKey) ?? new Set<string>();
    const now = new Set(keys);
    for (const hk of old) {
      if (now.has(hk) || this.hostRoutes.get(hk) !== routeKey) continue;
      this.hostRoutes.delete(hk);
      this.bindHostListener(hk);
    }
    for (const hk of now) {
      this.hostRoutes.set(hk, routeKey);
      this.bindHostListener(hk);
    }
    if (now.size) this.hostKeysOfRoute.set(routeKey, now);
    else this.hostKeysOfRoute.delete(routeKey);
  }

  private bindHostListener(hk: string): void {
    const rk = this.hostRoutes.get(hk);
    const route = rk === undefined ? undefined : this.routes.get(rk);
    const l = this.hostListeners.get(hk);
    const cannotServe = route !== undefined && route.external.length === 0 && route.hasAnyEndpoints;
    if (l && cannotServe && this.opts.requestHostSocket) {
      l.close();
      this.hostListeners.delete(hk);
      this.hostSocketsGivenBack.set(hk, { ip: l.address, port: l.port });
    } else if (l) l.route = route;
    else if (route && !cannotServe) {
      const back = this.hostSocketsGivenBack.get(hk);
      if (!back) return;
      this.hostSocketsGivenBack.delete(hk);
      this.opts.requestHostSocket?.(back.ip, back.port);
    }
  }

  private desiredListeners(p: ServicePortProgram): Map<string, DesiredListener> {
    const out = new Map<string, DesiredListener>();
    if (this.opts.hostSocketsOnly) return out;
    const proto = p.info.protocol;
    // kube-proxy REJECTs UDP to a Service without endpoints (ICMP port unreachable). With
    // no socket bound, the node's kernel answers exactly that: the port has no listener
    // until an endpoint appears.
    if (proto === 'UDP' && !p.hasAnyEndpoints) return out;
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
    this.returnMemoryAfterStorm();
  }

  /**
   * After a connection storm: the pool sheds the buffers it no longer needs, and once
   * the garbage collector has freed them, malloc gives the pages back (malloc_trim) —
   * without that, a storm's peak stays in the RSS although nothing uses it.
   */
  private returnMemoryAfterStorm(): void {
    const shed = this.pool.shrink();
    // 256 buffers: 4 MiB, about 128 connections; below that, trimming is not worth its cost.
    if (shed >= 256) this.trimPending = 4;
    // The buffers and the handles are freed by later collections (V8 collects when idle): trim on the next sweeps as well.
    if (this.trimPending > 0) {
      this.trimPending--;
      trimMemory();
    }
  }
}
