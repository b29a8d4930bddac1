// The nftables mode's host path: the kernel (the nftables backend) serves every address
// inside the node namespace, and a userspace backend that owns no listener of its own
// serves the host's sockets (127.0.0.1:<nodePort>, 127.0.100.x:<port>, host-port-mappings.ts)
// that the supervisor hands to the agent.
//
// Why accept-and-splice, and why straight to the endpoints. The host's root namespace
// has only loopback and must never route to another address (ARCHITECTURE.md), so no
// kernel rule there can send a host packet to a pod: the connection has to be accepted
// on the host's socket and carried into the node namespace by a process, as today. From
// there the agent could connect to the Service's ClusterIP and let the kernel balance,
// but that connection is internal traffic (internalTrafficPolicy, no NodePort), and one
// to the node's own NodePort is locally originated, which kube-proxy sends with policy
// Cluster: either way externalTrafficPolicy Local would be lost, and the LoadBalancer IPs
// may have no NodePort at all. So the host path keeps the userspace route for external
// traffic: the same endpoints topology.ts allows NodePorts and LoadBalancer IPs, the same
// give-back of a host socket a node cannot serve (policy Local), drop and reject as the
// kernel rules do — and one conntrack entry and one NAT fewer per connection than a
// connect to the ClusterIP. Its per-endpoint counters are added to the kernel's, so
// `kanzen traffic` and the metrics count the host's connections too.
import { EndpointStats, ServicePortStats, type StatsSource } from './metrics.js';
import { hostSocketsOf } from './host-port-mappings.js';
import type { ProxyBackend, ServicePortProgram } from './provider.js';
import type { StreamHandle } from './userspace/libuv-stream.js';
import type { UserspaceBackend } from './userspace/userspace-backend.js';

export class HostPathBackend implements ProxyBackend {
  /**
   * @param kernel programs the node namespace (nftables)
   * @param hostPath a UserspaceBackend built with hostSocketsOnly: routes for the Service ports that have host sockets
   */
  constructor(
    private readonly kernel: ProxyBackend & { refreshStats?(): Promise<void> },
    private readonly hostPath: UserspaceBackend,
  ) {}

  /** Reads the kernel's counters now (statsSources() reports the last reading). */
  async refreshStats(): Promise<void> {
    await this.kernel.refreshStats?.();
  }

  async syncServicePort(key: string, program: ServicePortProgram | undefined): Promise<void> {
    const hosted = program && hostSocketsOf(program.info).length > 0 ? program : undefined;
    // The host path never fails a sync (it opens no listener); the kernel's result is the sync's.
    await Promise.all([this.kernel.syncServicePort(key, program), this.hostPath.syncServicePort(key, hosted)]);
  }

  /** The kernel's transaction ends the sync; the host path applied its routes in syncServicePort. */
  async commit(): Promise<void> {
    await this.kernel.commit?.();
  }

  routesNewConnectionsTo(ip: string, port?: number): boolean {
    return this.kernel.routesNewConnectionsTo(ip, port) || this.hostPath.routesNewConnectionsTo(ip, port);
  }

  programmedServicePorts(): Iterable<string> {
    return new Set([...this.kernel.programmedServicePorts(), ...this.hostPath.programmedServicePorts()]);
  }

  statsSources(): Iterable<StatsSource> {
    return mergeStatsSources([this.kernel.statsSources(), this.hostPath.statsSources()]);
  }

  acceptErrors(): ReadonlyMap<string, number> {
    return this.hostPath.acceptErrors();
  }

  adoptHostSocket(ip: string, port: number, handle: StreamHandle): void {
    this.hostPath.adoptHostSocket(ip, port, handle);
  }

  releaseHostSocket(ip: string, port: number): void {
    this.hostPath.releaseHostSocket(ip, port);
  }

  async stop(): Promise<void> {
    await Promise.all([this.kernel.stop(), this.hostPath.stop()]);
  }
}

const portKey = (s: ServicePortStats) => `${s.namespace}/${s.service}/${s.port}/${s.protocol}`;

/** One StatsSource per Service port: the counters of the same port (and endpoint) in several backends, summed. */
export function mergeStatsSources(lists: Iterable<StatsSource>[]): StatsSource[] {
  const byPort = new Map<string, StatsSource[]>();
  for (const list of lists) {
    for (const src of list) {
      const k = portKey(src.stats);
      const have = byPort.get(k);
      if (have) have.push(src);
      else byPort.set(k, [src]);
    }
  }
  return [...byPort.values()].map((srcs) => (srcs.length === 1 ? srcs[0] : summed(srcs)));
}

function summed(srcs: StatsSource[]): StatsSource {
  const f = srcs[0].stats;
  const stats = new ServicePortStats(f.namespace, f.service, f.port, f.protocol);
  const endpoints = new Map<string, EndpointStats>();
  for (const src of srcs) {
    const s = src.stats;
    stats.activeConnections += s.activeConnections;
    stats.totalConnections += s.totalConnections;
    stats.bytesIn += s.bytesIn;
    stats.bytesOut += s.bytesOut;
    stats.refusedConnections += s.refusedConnections;
    stats.droppedConnections += s.droppedConnections;
    stats.failedConnections += s.failedConnections;
    for (const e of src.endpointStats()) {
      let sum = endpoints.get(e.endpoint);
      if (!sum) endpoints.set(e.endpoint, (sum = new EndpointStats(e.endpoint)));
      sum.activeConnections += e.activeConnections;
      sum.totalConnections += e.totalConnections;
      sum.bytesIn += e.bytesIn;
      sum.bytesOut += e.bytesOut;
      sum.failedConnects += e.failedConnects;
    }
  }
  return { stats, endpointStats: () => endpoints.values() };
}
