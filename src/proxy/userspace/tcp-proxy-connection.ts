// One proxied TCP connection: client socket (accepted, paused) ↔ endpoint socket.
//
// Data path, endpoint → client (the heavy direction for HTTP responses): the endpoint
// socket reads into one pooled buffer (`onread`), which is written to the client as is;
// if the client cannot take it at once (`writableLength > 0`), reading stops until the
// client drains, because the buffer is still referenced by the pending write.
// Client → endpoint: Node 20 has no `onread` for accepted sockets, so chunks come as
// 'data' events (fresh buffers) and are written through, with pause/resume backpressure.
// Every handler is created once per connection; nothing is allocated per chunk.
import net from 'node:net';
import type { BufferPool } from './buffer-pool.js';
import type { RouteEndpoint, ServicePortRoute } from './service-port-route.js';

export class TcpProxyConnection {
  private readonly upstream: net.Socket;
  private readonly buf: Buffer;
  private connected = false;
  private upstreamPaused = false;
  private closed = 0;

  constructor(
    private readonly client: net.Socket,
    private readonly ep: RouteEndpoint,
    private readonly route: ServicePortRoute,
    private readonly pool: BufferPool,
    private readonly onDone: (c: TcpProxyConnection) => void,
  ) {
    route.connectionOpened(ep);
    this.buf = pool.acquire();
    // The client socket has TCP_NODELAY from the listener (createServer's noDelay).
    this.upstream = net.connect({
      host: ep.info.ip,
      port: ep.info.port,
      noDelay: true,
      allowHalfOpen: true,
      onread: { buffer: this.buf, callback: this.onUpstreamRead },
    });
    this.upstream.on('connect', this.onUpstreamConnect);
    this.upstream.on('drain', this.onUpstreamDrain);
    this.upstream.on('end', this.onUpstreamEnd);
    this.upstream.on('error', this.onUpstreamError);
    this.upstream.on('close', this.onUpstreamClose);
    client.on('data', this.onClientData);
    client.on('drain', this.onClientDrain);
    client.on('end', this.onClientEnd);
    client.on('error', this.onClientError);
    client.on('close', this.onClientClose);
  }

  /** Ends the connection at once (proxy shutdown). */
  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
  }

  private readonly onUpstreamConnect = (): void => {
    this.connected = true;
    this.client.resume();
  };

  private readonly onUpstreamRead = (n: number, buf: Buffer): boolean => {
    this.ep.stats.bytesOut += n;
    this.route.stats.bytesOut += n;
    const c = this.client;
    if (c.destroyed) return false;
    c.write(n === buf.length ? buf : buf.subarray(0, n));
    if (c.writableLength > 0) {
      this.upstreamPaused = true;
      return false;
    }
    return true;
  };

  private readonly onClientDrain = (): void => {
    if (this.upstreamPaused) {
      this.upstreamPaused = false;
      this.upstream.resume();
    }
  };

  private readonly onClientData = (chunk: Buffer): void => {
    this.ep.stats.bytesIn += chunk.length;
    this.route.stats.bytesIn += chunk.length;
    if (!this.upstream.write(chunk)) this.client.pause();
  };

  private readonly onUpstreamDrain = (): void => {
    this.client.resume();
  };

  private readonly onClientEnd = (): void => {
    this.upstream.end();
  };

  private readonly onUpstreamEnd = (): void => {
    this.client.end();
  };

  private readonly onUpstreamError = (): void => {
    // The endpoint refused or reset: the client sees a reset too, as it would
    // talking to the endpoint directly through kube-proxy's DNAT.
    if (!this.client.destroyed) this.client.resetAndDestroy();
  };

  private readonly onClientError = (): void => {
    if (!this.upstream.destroyed) this.upstream.destroy();
  };

  private readonly onClientClose = (hadError: boolean): void => {
    if (!this.upstream.destroyed) {
      if (hadError || !this.connected) this.upstream.destroy();
      else this.upstream.end();
    }
    this.sideClosed();
  };

  private readonly onUpstreamClose = (hadError: boolean): void => {
    if (!this.client.destroyed) {
      if (hadError || !this.connected) this.client.resetAndDestroy();
      else this.client.end();
    }
    this.sideClosed();
  };

  private sideClosed(): void {
    if (++this.closed < 2) return;
    this.route.connectionClosed(this.ep);
    this.pool.release(this.buf);
    this.onDone(this);
  }
}
