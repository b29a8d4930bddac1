// One proxied TCP connection: an accepted client handle ↔ a handle connected to the
// endpoint, spliced on libuv handles (libuv-stream.ts), not net.Socket.
//
// Each direction reads into its own pooled buffer (useUserBuffer) and writes that buffer
// straight to the other side. A write that completes at once (the common case) lets
// reading go on; one that does not stops reading from the source until it completes,
// because the pending write still points into the buffer. So per chunk there is one read,
// one write and no allocation beyond a view of the buffer; per connection, two handles,
// two request objects and the closures below.
//
// Half-close passes through (EOF from one side → shutdown of the other), as with
// kube-proxy's DNAT; an error or reset on one side resets the other; a refused endpoint
// resets the client.
import type { BufferPool } from './buffer-pool.js';
import { lastReadResult, lastWriteWasAsync, newTcpSocket, ShutdownWrap, TCPConnectWrap, UV_EOF, WriteWrap, type ReqWrap, type StreamHandle } from './libuv-stream.js';
import type { RouteEndpoint, ServicePortRoute } from './service-port-route.js';
import { setTransparent } from './ip-transparent.js';
import type { EndpointStats, ServicePortStats } from '../metrics.js';

/** The address a connection to an endpoint is made from, when it is the client's. */
export interface UpstreamSource {
  address: string;
  port: number;
}

/**
 * A socket for the endpoint side: plain, or bound to the client's address (its own port
 * when free) and transparent. Any failure there gives a plain socket: the connection is
 * made all the same, from the node's address.
 */
function openUpstream(source: UpstreamSource | undefined): StreamHandle {
  if (source) {
    const h = newTcpSocket();
    const bound = h.bind(source.address, source.port) === 0 || h.bind(source.address, 0) === 0;
    if (bound && setTransparent(h.fd) === 0) return h;
    h.close();
  }
  return newTcpSocket();
}

/** Closes a handle, with a TCP reset when asked and possible. */
export function closeHandle(h: StreamHandle, reset: boolean, cb?: () => void): void {
  if (reset && h.reset(cb) === 0) return;
  h.close(cb);
}

/** One direction of the splice: reads from src, writes to dst. */
class Direction {
  private readonly writeReq: ReqWrap;
  /** The first n bytes of buf, for the last n read. */
  private view: Buffer;
  /** src sent EOF and dst's shutdown completed. */
  shutDown = false;

  constructor(
    private readonly conn: TcpProxyConnection,
    private readonly src: StreamHandle,
    private readonly dst: StreamHandle,
    private readonly buf: Buffer,
    /** Where the bytes are counted: the endpoint's and the Service port's counters. */
    private readonly endpointStats: EndpointStats,
    private readonly portStats: ServicePortStats,
    private readonly counter: 'bytesIn' | 'bytesOut',
  ) {
    this.view = buf;
    this.writeReq = new WriteWrap();
    this.writeReq.oncomplete = this.onWritten;
    src.useUserBuffer(buf);
    src.onread = this.onRead;
  }

  start(): void {
    const err = this.src.readStart();
    if (err < 0) this.conn.fail(this.src);
  }

  private readonly onRead = (): void => {
    const n = lastReadResult();
    if (n > 0) {
      this.endpointStats[this.counter] += n;
      this.portStats[this.counter] += n;
      // Request/response traffic repeats its sizes: the last view of buf usually fits again.
      if (this.view.length !== n) this.view = this.buf.subarray(0, n);
      const err = this.dst.writeBuffer(this.writeReq, this.view);
      if (err < 0) this.conn.fail(this.dst);
      // Still in flight: it points into buf, so src waits until it completes.
      else if (lastWriteWasAsync()) this.src.readStop();
      return;
    }
    if (n === 0) return;
    this.src.readStop();
    if (n === UV_EOF) this.endDestination();
    else this.conn.fail(this.src);
  };

  private readonly onWritten = (status: number): void => {
    if (status < 0) this.conn.fail(this.dst);
    else if (!this.conn.closing && this.src.readStart() < 0) this.conn.fail(this.src);
  };

  private endDestination(): void {
    const req = new ShutdownWrap();
    req.oncomplete = this.onShutDown;
    // 0: dispatched, oncomplete follows; anything else: nothing left to shut down.
    if (this.dst.shutdown(req) !== 0) this.onShutDown();
  }

  private readonly onShutDown = (): void => {
    this.shutDown = true;
    this.conn.directionDone();
  };
}

export class TcpProxyConnection {
  private readonly upstream: StreamHandle;
  private readonly clientBuf: Buffer;
  private readonly upstreamBuf: Buffer;
  private readonly toUpstream: Direction;
  private readonly toClient: Direction;
  closing = false;
  private openHandles = 2;

  constructor(
    private readonly client: StreamHandle,
    private readonly ep: RouteEndpoint,
    private readonly route: ServicePortRoute,
    private readonly pool: BufferPool,
    private readonly onDone: (c: TcpProxyConnection) => void,
    source?: UpstreamSource,
  ) {
    route.connectionOpened(ep);
    this.clientBuf = pool.acquire();
    this.upstreamBuf = pool.acquire();
    const upstream = (this.upstream = openUpstream(source));
    this.toUpstream = new Direction(this, client, upstream, this.clientBuf, ep.stats, route.stats, 'bytesIn');
    this.toClient = new Direction(this, upstream, client, this.upstreamBuf, ep.stats, route.stats, 'bytesOut');
    client.setNoDelay(true);
    const req = new TCPConnectWrap();
    req.oncomplete = this.onConnected;
    const { ip, port } = ep.info;
    const err = ip.includes(':') ? upstream.connect6(req, ip, port) : upstream.connect(req, ip, port);
    if (err < 0) this.fail(upstream);
  }

  /** Ends the connection at once (proxy shutdown). */
  destroy(): void {
    this.close(false, false);
  }

  private readonly onConnected = (status: number): void => {
    if (this.closing) return;
    if (status < 0) {
      // The endpoint refused or is gone: the client sees a reset, as it would talking
      // to the endpoint directly through kube-proxy's DNAT.
      this.fail(this.upstream);
      return;
    }
    this.upstream.setNoDelay(true);
    this.toUpstream.start();
    this.toClient.start();
  };

  /** A read, write or connect on `side` failed: reset the other side and close both. */
  fail(side: StreamHandle): void {
    const clientFailed = side === this.client;
    this.close(!clientFailed, clientFailed);
  }

  /** Called when a direction's shutdown completed: both done means a graceful close. */
  directionDone(): void {
    if (this.toUpstream.shutDown && this.toClient.shutDown) this.close(false, false);
  }

  private close(resetClient: boolean, resetUpstream: boolean): void {
    if (this.closing) return;
    this.closing = true;
    closeHandle(this.client, resetClient, this.onHandleClosed);
    closeHandle(this.upstream, resetUpstream, this.onHandleClosed);
  }

  private readonly onHandleClosed = (): void => {
    // Pending writes are cancelled before a handle's close callback, so once both
    // handles are closed nothing points into the buffers any more.
    if (--this.openHandles > 0) return;
    this.route.connectionClosed(this.ep);
    this.pool.release(this.clientBuf);
    this.pool.release(this.upstreamBuf);
    this.onDone(this);
  };
}
