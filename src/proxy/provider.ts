// What a proxy backend implements (upstream pkg/proxy/types.go Provider, reduced to
// what the proxier calls): it turns the decisions of topology.ts into forwarding state,
// one Service port at a time, and answers questions about that state.
import type { StatsSource } from './metrics.js';
import type { ServicePortProgram } from './userspace/service-port-route.js';
import type { StreamHandle } from './userspace/libuv-stream.js';

export type { ServicePortProgram };

export interface ProxyBackend {
  /** Programs one Service port; `undefined` removes it. Throws when it could not (retried by a full sync). */
  syncServicePort(key: string, program: ServicePortProgram | undefined): Promise<void>;
  /**
   * Ends a sync: a backend that batches (nftables: one transaction per sync) writes what
   * the syncServicePort calls since the last commit asked for. Throws when nothing of it
   * was applied (retried by a full sync). Backends that apply each port at once omit it.
   */
  commit?(): Promise<void>;
  /** True while some Service port may still send new connections to this endpoint. */
  routesNewConnectionsTo(ip: string, port?: number): boolean;
  /** Keys of the Service ports currently programmed. */
  programmedServicePorts(): Iterable<string>;
  statsSources(): Iterable<StatsSource>;
  /** Client connections refused for a local reason (socket-errors.ts), by errno code. */
  acceptErrors?(): ReadonlyMap<string, number>;
  /** Serves a listening socket of the host's namespace (host-port-mappings.ts) as external traffic. */
  adoptHostSocket?(ip: string, port: number, handle: StreamHandle): void;
  releaseHostSocket?(ip: string, port: number): void;
  stop(): Promise<void>;
}
