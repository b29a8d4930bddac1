// A TCP listener for one address:port of a Service port (a ClusterIP, a node address
// for a NodePort, an externalIP or a LoadBalancer IP). It is bound to its route, so a
// new connection costs the route's choice and nothing else. It listens on a libuv
// server handle (libuv-stream.ts): accepted connections are handles, never net.Sockets.
// A listening handle made elsewhere (the host's NodePort and LoadBalancer sockets, which
// the daemon creates in the host's namespace and hands to node agents) can be adopted.
import { constants } from 'node:os';
import { newTcpServer, uvError, type StreamHandle } from './libuv-stream.js';
import { drop, reject, type ServicePortRoute } from './service-port-route.js';
import { closeHandle, TcpProxyConnection, type ConnectionDeps, type UpstreamSource } from './tcp-proxy-connection.js';
import type { RouteEndpoint } from './service-port-route.js';
import { firewallDrops } from '../service-port.js';

/** Decides whether a connection to ep keeps the client's address as its source. */
export type ClientIPPolicy = (clientIP: string, ep: RouteEndpoint, route: ServicePortRoute, external: boolean) => boolean;

export interface ListenerDeps extends ConnectionDeps {
  /** Every live forwarded connection and black-holed socket, so stop() can end them. */
  live: Set<{ destroy(): void }>;
  /** At most this many in `live` (fd-limit.ts): past it, new connections are refused, logged and counted. */
  maxConnections: number;
  /** How long a dropped connection is held before it is closed. */
  dropTimeoutMs: number;
  /** Client IP preservation; absent: endpoints see the node's address. */
  preserveClientIP?: ClientIPPolicy;
}

const backlog = 511; // net.Server's default
const UV_EMFILE = -constants.errno.EMFILE;

export class TcpServiceListener {
  private handle?: StreamHandle;

  constructor(
    readonly address: string,
    readonly port: number,
    /** Undefined for a host socket whose Service this node has not programmed (yet): connections are reset. */
    public route: ServicePortRoute | undefined,
    /** External traffic follows externalTrafficPolicy; ClusterIP traffic internalTrafficPolicy. */
    readonly external: boolean,
    private readonly deps: ListenerDeps,
  ) {}

  listen(): Promise<void> {
    const h = newTcpServer();
    const where = `${this.address}:${this.port}`;
    let syscall = 'bind';
    let err = this.address.includes(':') ? h.bind6(this.address, this.port, 0) : h.bind(this.address, this.port);
    if (err === 0) {
      syscall = 'listen';
      err = h.listen(backlog);
    }
    if (err !== 0) {
      h.close();
      return Promise.reject(uvError(err, syscall, where));
    }
    this.accept(h);
    return Promise.resolve();
  }

  /** Accepts on a handle that is already bound (and possibly listening) elsewhere. */
  adopt(h: StreamHandle): void {
    const err = h.listen(backlog);
    if (err !== 0) throw uvError(err, 'listen', `${this.address}:${this.port}`);
    this.accept(h);
  }

  /** Stops accepting; established connections carry on until they end. */
  close(): void {
    const h = this.handle;
    this.handle = undefined;
    if (h) {
      h.onconnection = null;
      h.close();
    }
  }

  private accept(h: StreamHandle): void {
    this.handle = h;
    h.onconnection = this.onConnection;
  }

  private readonly onConnection = (status: number, client?: StreamHandle): void => {
    const deps = this.deps;
    if (status !== 0 || !client) {
      deps.acceptErrors.record(status, 'accept', `${this.address}:${this.port}`);
      return;
    }
    const route = this.route;
    if (!route) {
      closeHandle(client, true);
      return;
    }
    const live = deps.live;
    if (live.size >= deps.maxConnections) {
      // Out of descriptors but for the reserve: refuse this one visibly rather than let
      // libuv refuse the next ones silently (fd-limit.ts).
      deps.acceptErrors.record(UV_EMFILE, 'accept', `${this.address}:${this.port}`);
      closeHandle(client, true);
      return;
    }
    let peer: UpstreamSource | undefined;
    const clientPeer = (): UpstreamSource => (peer ??= peerOf(client));
    if (route.info.loadBalancerSourceRanges.length && firewallDrops(route.info, this.address, clientPeer().address)) {
      route.stats.droppedConnections++;
      this.holdSilently(client);
      return;
    }
    const decision = route.choose(() => clientPeer().address, this.external);
    if (decision === reject) {
      route.stats.refusedConnections++;
      closeHandle(client, true);
      return;
    }
    if (decision === drop) {
      route.stats.droppedConnections++;
      this.holdSilently(client);
      return;
    }
    const policy = deps.preserveClientIP;
    const source = policy && policy(clientPeer().address, decision, route, this.external) ? clientPeer() : undefined;
    live.add(new TcpProxyConnection(client, decision, route, this.external, deps, this.onDone, source));
  };

  private readonly onDone = (c: TcpProxyConnection): void => {
    this.deps.live.delete(c);
  };

  /**
   * kube-proxy DROPs the SYN; a user-space listener has already accepted, so the closest
   * equivalent is silence: never read or answer, close after dropTimeoutMs.
   */
  private holdSilently(client: StreamHandle): void {
    const live = this.deps.live;
    const held = {
      destroy: () => {
        clearTimeout(timer);
        if (live.delete(held)) client.close();
      },
    };
    const timer = setTimeout(held.destroy, this.deps.dropTimeoutMs);
    timer.unref();
    live.add(held);
  }
}

function peerOf(h: StreamHandle): UpstreamSource {
  const out: { address?: string; port?: number } = {};
  return h.getpeername(out) === 0 ? { address: out.address ?? '', port: out.port ?? 0 } : { address: '', port: 0 };
}
