// A UDP "listener" for one address:port of a Service port. Each client (source
// ip:port) gets a flow: a socket connected to the chosen endpoint, so replies come
// back from the Service address, like conntrack's NAT entries. Flows expire after
// idleTimeoutMs without traffic (conntrack's UDP timeout) and are cleared when their
// endpoint stops serving (kube-proxy clears stale UDP conntrack entries).
// With no eligible endpoint a datagram is dropped and counted: kube-proxy answers
// ICMP port unreachable (REJECT), which user space cannot send.
import dgram from 'node:dgram';
import type { Logger } from '../../util/logger.js';
import { drop, reject, type RouteEndpoint, type ServicePortRoute } from './service-port-route.js';
import { firewallDrops } from '../service-port.js';

class UdpFlow {
  readonly socket: dgram.Socket;
  lastActivity: number;
  closed = false;
  /** Datagrams from the client before the flow socket finished connecting. */
  private pending: Buffer[] | undefined = [];

  constructor(
    private readonly listener: UdpServiceListener,
    readonly clientAddress: string,
    readonly clientPort: number,
    readonly ep: RouteEndpoint,
    readonly route: ServicePortRoute,
    now: number,
  ) {
    this.lastActivity = now;
    this.socket = dgram.createSocket(ep.info.ip.includes(':') ? 'udp6' : 'udp4');
    this.socket.on('message', this.onReply);
    this.socket.on('error', this.onError);
    this.socket.connect(ep.info.port, ep.info.ip, this.onConnect);
    route.connectionOpened(ep);
  }

  send(msg: Buffer, now: number): void {
    this.lastActivity = now;
    this.ep.stats.bytesIn += msg.length;
    this.route.stats.bytesIn += msg.length;
    if (this.pending) this.pending.push(msg);
    else this.socket.send(msg);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.route.connectionClosed(this.ep);
    this.socket.close();
  }

  private readonly onConnect = (): void => {
    const queued = this.pending ?? [];
    this.pending = undefined;
    if (this.closed) return;
    for (const m of queued) this.socket.send(m);
  };

  private readonly onReply = (msg: Buffer): void => {
    this.lastActivity = this.listener.now();
    this.ep.stats.bytesOut += msg.length;
    this.route.stats.bytesOut += msg.length;
    this.listener.reply(msg, this.clientPort, this.clientAddress);
  };

  private readonly onError = (): void => {
    // ECONNREFUSED from an ICMP unreachable: the endpoint is gone; the next datagram
    // starts a new flow.
    this.listener.removeFlow(this);
  };
}

export class UdpServiceListener {
  private readonly socket: dgram.Socket;
  private readonly flows = new Map<string, UdpFlow>();

  constructor(
    readonly address: string,
    readonly port: number,
    public route: ServicePortRoute,
    readonly external: boolean,
    readonly now: () => number,
    private readonly logger: Logger,
  ) {
    this.socket = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    this.socket.on('message', this.onMessage);
    this.socket.on('error', (err) => logger.warn('udp listener error', { address: `${address}:${port}`, err }));
  }

  listen(): Promise<void> {
    return new Promise((resolve, rejectBind) => {
      const onError = (err: Error) => rejectBind(err);
      this.socket.once('error', onError);
      this.socket.bind({ address: this.address, port: this.port, exclusive: true }, () => {
        this.socket.off('error', onError);
        resolve();
      });
    });
  }

  close(): void {
    for (const f of this.flows.values()) f.close();
    this.flows.clear();
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  reply(msg: Buffer, port: number, address: string): void {
    this.socket.send(msg, port, address);
  }

  removeFlow(flow: UdpFlow): void {
    const key = `${flow.clientAddress}:${flow.clientPort}`;
    if (this.flows.get(key) === flow) this.flows.delete(key);
    flow.close();
  }

  /** Clears flows whose endpoint is no longer serving (or left the Service). */
  clearStaleFlows(serving: ReadonlySet<string>): void {
    for (const f of this.flows.values()) if (!serving.has(f.ep.info.key) || !f.ep.present) this.removeFlow(f);
  }

  expireIdleFlows(idleTimeoutMs: number): void {
    const limit = this.now() - idleTimeoutMs;
    for (const f of this.flows.values()) if (f.lastActivity < limit) this.removeFlow(f);
  }

  get flowCount(): number {
    return this.flows.size;
  }

  private readonly onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = this.flows.get(key);
    const now = this.now();
    if (!flow) {
      const route = this.route;
      if (firewallDrops(route.info, this.address, rinfo.address)) {
        route.stats.droppedConnections++;
        return;
      }
      const decision = route.choose(rinfo.address, this.external);
      if (decision === reject) {
        route.stats.refusedConnections++;
        return;
      }
      if (decision === drop) {
        route.stats.droppedConnections++;
        return;
      }
      flow = new UdpFlow(this, rinfo.address, rinfo.port, decision, route, now);
      this.flows.set(key, flow);
    }
    flow.send(msg, now);
  };
}
