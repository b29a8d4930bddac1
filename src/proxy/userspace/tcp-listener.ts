// A TCP listener for one address:port of a Service port (a ClusterIP, a node address
// for a NodePort, an externalIP or a LoadBalancer IP). It is bound to its route, so a
// new connection costs the route's choice and nothing else.
import net from 'node:net';
import type { Logger } from '../../util/logger.js';
import type { BufferPool } from './buffer-pool.js';
import { drop, reject, type ServicePortRoute } from './service-port-route.js';
import { TcpProxyConnection } from './tcp-proxy-connection.js';

export interface ListenerDeps {
  pool: BufferPool;
  /** Every live forwarded connection and black-holed socket, so stop() can end them. */
  live: Set<{ destroy(): void }>;
  /** How long a black-holed (dropped) connection is held before it is closed. */
  dropTimeoutMs: number;
  logger: Logger;
}

const ignore = (): void => {};

export class TcpServiceListener {
  private readonly server: net.Server;

  constructor(
    readonly address: string,
    readonly port: number,
    public route: ServicePortRoute,
    /** External traffic follows externalTrafficPolicy; ClusterIP traffic internalTrafficPolicy. */
    readonly external: boolean,
    private readonly deps: ListenerDeps,
  ) {
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, this.onConnection);
    this.server.on('error', (err) => deps.logger.warn('listener error', { address: `${address}:${port}`, err }));
  }

  listen(): Promise<void> {
    return new Promise((resolve, rejectListen) => {
      const onError = (err: Error) => rejectListen(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.address, port: this.port, exclusive: true }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** Stops accepting; established connections carry on until they end. */
  close(): void {
    this.server.close();
  }

  private readonly onConnection = (socket: net.Socket): void => {
    const route = this.route;
    const decision = route.choose(() => socket.remoteAddress ?? '', this.external);
    if (decision === reject) {
      route.stats.refusedConnections++;
      socket.on('error', ignore);
      socket.resetAndDestroy();
      return;
    }
    if (decision === drop) {
      // kube-proxy DROPs the SYN; a user-space listener has already accepted, so the
      // closest equivalent is silence: never answer, close after dropTimeoutMs.
      route.stats.droppedConnections++;
      const live = this.deps.live;
      live.add(socket);
      socket.on('error', ignore);
      socket.on('close', () => live.delete(socket));
      socket.setTimeout(this.deps.dropTimeoutMs, () => socket.destroy());
      return;
    }
    const live = this.deps.live;
    const conn = new TcpProxyConnection(socket, decision, route, this.deps.pool, (c) => live.delete(c));
    live.add(conn);
  };
}
