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
// Nothing is read from the client before the endpoint accepted, so a connect that fails
// (refused: a pod not listening yet or any more; reset; unreachable) loses no byte and
// is tried on the next endpoint (ServicePortRoute.chooseAfterFailure), like the old
// userspace kube-proxy and HAProxy's redispatch: the client is reset only when every
// eligible endpoint failed.
//
// Half-close passes through (EOF from one side → shutdown of the other), as with
// kube-proxy's DNAT; an error or reset on one side resets the other.
import { constants } from 'node:os';
import type { BufferPool } from './buffer-pool.js';
import type { AcceptErrors } from './socket-errors.js';
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

/** What a connection needs of its listener. */
export interface ConnectionDeps {
  pool: BufferPool;
  acceptErrors: AcceptErrors;
}

/**
 * Connect errors that say "this endpoint, not this proxy": worth another endpoint. Local
 * failures (EMFILE, ENOBUFS, EADDRNOTAVAIL: out of descriptors, memory or ports) would
 * fail on any endpoint and are counted as refusals instead.
 */
const endpointErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNABORTED', 'EPIPE'].map((c) => -constants.errno[c as keyof typeof constants.errno]));

export class TcpProxyConnection {
  private upstream: StreamHandle;
  private ep: RouteEndpoint;
  private clientBuf?: Buffer;
  private upstreamBuf?: Buffer;
  private toUpstream?: Direction;
  private toClient?: Direction;
  /** Endpoints whose connect failed; allocated only then. */
  private tried?: RouteEndpoint[];
  closing = false;
  private openHandles = 2;

  constructor(
    private readonly client: StreamHandle,
    ep: RouteEndpoint,
    private readonly route: ServicePortRoute,
    private readonly external: boolean,
    private readonly deps: ConnectionDeps,
    private readonly onDone: (c: TcpProxyConnection) => void,
    private readonly source?: UpstreamSource,
  ) {
    this.ep = ep;
    route.connectionOpened(ep);
    client.setNoDelay(true);
    this.upstream = this.connect();
  }

  /** Ends the connection at once (proxy shutdown). */
  destroy(): void {
    this.close(false, false);
  }

  /** Opens a socket to this.ep and starts connecting; a failure to start is handled like a failed connect. */
  private connect(): StreamHandle {
    const upstream = openUpstream(this.source);
    const req = new TCPConnectWrap();
    req.oncomplete = this.onConnected;
    const { ip, port } = this.ep.info;
    const err = ip.includes(':') ? upstream.connect6(req, ip, port) : upstream.connect(req, ip, port);
    if (err < 0) queueMicrotask(() => this.onConnectFailed(upstream, err));
    return upstream;
  }

  private readonly onConnected = (status: number): void => {
    if (this.closing) return;
    if (status < 0) {
      this.onConnectFailed(this.upstream, status);
      return;
    }
    const upstream = this.upstream;
    upstream.setNoDelay(true);
    const pool = this.deps.pool;
    const stats = this.ep.stats;
    this.clientBuf = pool.acquire();
    this.upstreamBuf = pool.acquire();
    this.toUpstream = new Direction(this, this.client, upstream, this.clientBuf, stats, this.route.stats, 'bytesIn');
    this.toClient = new Direction(this, upstream, this.client, this.upstreamBuf, stats, this.route.stats, 'bytesOut');
    this.toUpstream.start();
    this.toClient.start();
  };

  /**
   * The connect to this.ep failed before any byte moved: the next eligible endpoint gets
   * the connection; with none left (or a local failure) the client is reset, as it would
   * be talking to the endpoint directly through kube-proxy's DNAT.
   */
  private onConnectFailed(upstream: StreamHandle, status: number): void {
    if (this.closing || upstream !== this.upstream) return;
    if (!endpointErrors.has(status)) {
      this.deps.acceptErrors.record(status, 'connect', `${this.ep.info.ip}:${this.ep.info.port}`);
      this.route.stats.failedConnections++;
      this.fail(upstream);
      return;
    }
    const failed = this.ep;
    failed.stats.failedConnects++;
    (this.tried ??= []).push(failed);
    const next = this.route.chooseAfterFailure(this.tried, this.external);
    if (!next) {
      this.route.stats.failedConnections++;
      this.fail(upstream);
      return;
    }
    // The failed handle never carried data and no buffer is attached: close it quietly.
    upstream.close();
    this.route.connectionMoved(failed, next);
    this.ep = next;
    this.upstream = this.connect();
  }

  /** A read, write or connect on `side` failed: reset the other side and close both. */
  fail(side: StreamHandle): void {
    const clientFailed = side === this.client;
    this.close(!clientFailed, clientFailed);
  }

  /** Called when a direction's shutdown completed: both done means a graceful close. */
  directionDone(): void {
    if (this.toUpstream?.shutDown && this.toClient?.shutDown) this.close(false, false);
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
    if (this.clientBuf) this.deps.pool.release(this.clientBuf);
    if (this.upstreamBuf) this.deps.pool.release(this.upstreamBuf);
    this.onDone(this);
  };
}
