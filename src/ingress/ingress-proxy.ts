// The kanzen Ingress proxy: HTTP and HTTPS servers that route each request by the current
// route table (route-table.ts) straight to a ready endpoint of the backend Service, round
// robin, as ingress-nginx balances over endpoints rather than the ClusterIP. What matches no
// rule gets a 404, a backend without endpoints a 503, an endpoint that cannot be reached a
// 502 (nginx's answers). HTTPS picks the certificate by SNI from the TLS Secrets, else the
// default certificate; WebSocket (any HTTP/1.1 Upgrade) is passed through once the backend
// agrees. Every request writes one access log line. Tables are swapped whole by update(), so a
// request is routed by one consistent table.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { EndpointInfo } from '../proxy/endpoint.js';
import { newBalancer, type Balancer } from '../proxy/userspace/balancer.js';
import type { Logger } from '../util/logger.js';
import { accessLogLine, type AccessLogEntry } from './access-log.js';
import type { ResolvedBackend } from './backend.js';
import { endToEndHeaders, upstreamRequestHeaders } from './forwarded-headers.js';
import { routeLabels, type IngressMetrics, type RouteLabels } from './ingress-metrics.js';
import { applyServerLimits, defaultProxyLimits, guardUpstream, upstreamFailureStatus, type ProxyLimits } from './proxy-limits.js';
import { routeRequest, tlsSecretFor, type RouteTable } from './route-table.js';

export interface Certificate {
  readonly cert: string;
  readonly key: string;
}

export interface IngressProxyOptions {
  /** Served when no TLS Secret covers the server name (ingress-nginx's "fake certificate"). */
  readonly defaultCertificate: Certificate;
  readonly accessLog: (line: string) => void;
  readonly logger: Logger;
  /** Milliseconds, for request durations and log times. */
  readonly now?: () => number;
  /** Timeouts and connection bounds (proxy-limits.ts); ingress-nginx's defaults when absent. */
  readonly limits?: Partial<ProxyLimits>;
  /** Per-route counters (ingress-metrics.ts), when the controller exposes them. */
  readonly metrics?: IngressMetrics;
}

/** What one request's log line and metrics are made of, filled in as it goes. */
interface RequestRecord {
  readonly route: RouteLabels;
  backend?: string;
  upstream?: string;
  upstreamStatus?: number;
  /** Response body bytes sent. */
  bytes: number;
  /** Request body bytes received. */
  received: number;
}

/** A request on either listener: HTTP/1.1, or HTTP/2 on the HTTPS port. */
type ClientRequest = http.IncomingMessage | http2.Http2ServerRequest;
type ClientResponse = http.ServerResponse | http2.Http2ServerResponse;

interface Target {
  readonly ep: EndpointInfo;
  active: number;
}

interface BackendState {
  readonly targets: readonly Target[];
  readonly balancer: Balancer;
}

type Proto = 'http' | 'https';

const emptyTable: RouteTable = { exactHosts: new Map(), wildcardHosts: new Map(), tls: new Map(), ingresses: [] };

/** Every backend a table can send to. */
function backendsOf(table: RouteTable): ResolvedBackend[] {
  const out: ResolvedBackend[] = [];
  const entries = [...table.exactHosts.values(), ...table.wildcardHosts.values(), ...(table.anyHost ? [table.anyHost] : [])];
  for (const e of entries) {
    for (const p of e.paths) out.push(p.backend);
    if (e.defaultBackend) out.push(e.defaultBackend);
  }
  if (table.defaultBackend) out.push(table.defaultBackend);
  return out;
}

/** nginx's error page for a status it answers itself. */
function errorPage(status: number): string {
  const title = `${status} ${http.STATUS_CODES[status] ?? ''}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>kanzen</center>\r\n</body>\r\n</html>\r\n`;
}

/** The request's host: Host in HTTP/1.1, :authority in HTTP/2. */
function requestHost(req: ClientRequest): string | undefined {
  return (req.headers.host as string | undefined) ?? (req.headers[':authority'] as string | undefined);
}

export class IngressProxy {
  private table: RouteTable = emptyTable;
  private backends = new Map<string, BackendState>();
  /** By Secret "ns/name": the PEMs a context was made from, so a renewed certificate gets a new one. */
  private contexts = new Map<string, { cert: string; key: string; context: tls.SecureContext }>();
  private readonly defaultContext: tls.SecureContext;
  private readonly agent: http.Agent;
  private readonly now: () => number;
  private readonly limits: ProxyLimits;
  /** The servers made here and their client connections, for close(). */
  private readonly servers = new Set<net.Server>();
  private readonly clientSockets = new Set<net.Socket>();

  constructor(private readonly opts: IngressProxyOptions) {
    this.defaultContext = tls.createSecureContext(opts.defaultCertificate);
    this.now = opts.now ?? Date.now;
    this.limits = { ...defaultProxyLimits, ...opts.limits };
    // Kept-alive connections to backends (nginx's upstream keepalive): a free socket closes after the timeout.
    this.agent = new http.Agent({ keepAlive: true, maxFreeSockets: this.limits.upstreamKeepaliveConnections, timeout: this.limits.upstreamKeepaliveTimeoutMs });
  }

  /**
   * Installs a new table and the certificates of its TLS Secrets ("ns/name" → PEMs). A backend
   * whose endpoints did not change keeps its balancer, so rotation goes on across updates.
   */
  update(table: RouteTable, certificates: ReadonlyMap<string, Certificate>): void {
    const backends = new Map<string, BackendState>();
    for (const b of backendsOf(table)) {
      if (backends.has(b.name)) continue;
      const old = this.backends.get(b.name);
      const same = old && old.targets.length === b.endpoints.length && old.targets.every((t, i) => t.ep.key === b.endpoints[i].key);
      backends.set(b.name, same ? old : { targets: b.endpoints.map((ep) => ({ ep, active: 0 })), balancer: newBalancer('round-robin') });
    }
    const contexts = new Map<string, { cert: string; key: string; context: tls.SecureContext }>();
    for (const [secret, c] of certificates) {
      const old = this.contexts.get(secret);
      try {
        const context = old && old.cert === c.cert && old.key === c.key ? old.context : tls.createSecureContext(c);
        contexts.set(secret, { cert: c.cert, key: c.key, context });
      } catch (err) {
        this.opts.logger.warn('TLS secret is not a usable certificate and key', { secret, error: String(err) });
      }
    }
    this.table = table;
    this.backends = backends;
    this.contexts = contexts;
  }

  createHttpServer(): http.Server {
    // Node checks header and request timeouts every connectionsCheckingInterval (30 s by default): a short timeout needs a shorter check.
    const connectionsCheckingInterval = Math.min(30_000, Math.max(50, this.limits.headersTimeoutMs / 4));
    const server = http.createServer({ connectionsCheckingInterval }, (req, res) => this.serve('http', req, res));
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade('http', req, socket, head));
    this.track(server);
    return server;
  }

  /** Applies the limits and keeps the server's connections, which close() ends. */
  private track(server: http.Server | http2.Http2SecureServer): void {
    applyServerLimits(server, this.limits);
    this.servers.add(server);
    server.on('connection', (socket: net.Socket) => {
      this.clientSockets.add(socket);
      socket.once('close', () => this.clientSockets.delete(socket));
    });
  }

  /**
   * HTTPS: HTTP/2 when the client offers h2 by ALPN, else HTTP/1.1 on the same port
   * (allowHTTP1), WebSocket upgrades included; the backends are spoken to in HTTP/1.1.
   */
  createHttpsServer(): http2.Http2SecureServer {
    const server = http2.createSecureServer(
      { allowHTTP1: true, SNICallback: (name, cb) => cb(null, this.contextFor(name)), cert: this.opts.defaultCertificate.cert, key: this.opts.defaultCertificate.key },
      (req, res) => this.serve('https', req, res),
    );
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade('https', req, socket, head));
    this.track(server);
    return server;
  }

  private contextFor(serverName: string): tls.SecureContext {
    const route = tlsSecretFor(this.table, serverName);
    return (route && this.contexts.get(route.secret)?.context) ?? this.defaultContext;
  }

  /** The endpoint for a request to this backend, or undefined when it has none. */
  private pick(backend: ResolvedBackend): Target | undefined {
    const state = this.backends.get(backend.name);
    if (!state || state.targets.length === 0) return undefined;
    return state.balancer.pick(state.targets);
  }

  private serve(proto: Proto, req: ClientRequest, res: ClientResponse): void {
    const start = this.now();
    const match = routeRequest(this.table, requestHost(req), req.url ?? '/');
    const log: RequestRecord = { bytes: 0, received: 0, backend: match?.backend.name, route: routeLabels(match) };
    res.on('finish', () => this.logRequest(req, res.statusCode, start, log));
    if (this.opts.metrics) req.on('data', (chunk: Buffer) => (log.received += chunk.length));
    const target = match && this.pick(match.backend);
    if (!target) return this.answer(res, match ? 503 : 404, log);
    target.active++;
    res.on('close', () => target.active--);
    log.upstream = target.ep.key;
    const upstream = http.request({
      host: target.ep.ip,
      port: target.ep.port,
      method: req.method,
      path: req.url,
      headers: upstreamRequestHeaders(req.headers, { clientAddress: req.socket.remoteAddress ?? '', proto, port: req.socket.localPort ?? 0 }),
      agent: this.agent,
    });
    guardUpstream(upstream, this.limits);
    upstream.on('response', (ur) => {
      log.upstreamStatus = ur.statusCode;
      // HTTP/2 has no reason phrase (RFC 9113 §8.3.2): only HTTP/1.1 responses carry the backend's.
      if (req.httpVersionMajor >= 2) (res as http2.Http2ServerResponse).writeHead(ur.statusCode ?? 502, endToEndHeaders(ur.headers));
      else (res as http.ServerResponse).writeHead(ur.statusCode ?? 502, ur.statusMessage, endToEndHeaders(ur.headers));
      ur.on('data', (chunk: Buffer) => (log.bytes += chunk.length));
      // pipe() pauses the backend while the client is slow: a body streams with bounded memory.
      ur.pipe(res as NodeJS.WritableStream);
    });
    upstream.on('error', (err) => {
      this.opts.logger.debug('upstream request failed', { backend: match.backend.name, upstream: target.ep.key, error: String(err) });
      if (!res.headersSent) this.answer(res, upstreamFailureStatus(err), log);
      else res.destroy();
    });
    // A client that goes away takes its backend request with it (nothing waits for an answer nobody reads).
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  private answer(res: ClientResponse, status: number, log: { bytes: number }): void {
    const body = errorPage(status);
    log.bytes = Buffer.byteLength(body);
    res.writeHead(status, { 'content-type': 'text/html', 'content-length': log.bytes });
    res.end(body);
  }

  /**
   * An HTTP/1.1 Upgrade (WebSocket): the request goes to the backend with its Upgrade headers;
   * if the backend switches protocols, its 101 goes back and the two sockets are joined;
   * any other answer is relayed as a plain response.
   */
  private upgrade(proto: Proto, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const start = this.now();
    const match = routeRequest(this.table, req.headers.host, req.url ?? '/');
    const target = match && this.pick(match.backend);
    const log: RequestRecord = { backend: match?.backend.name, upstream: target?.ep.key, bytes: 0, received: 0, route: routeLabels(match) };
    socket.on('error', () => socket.destroy());
    if (!target) {
      const status = match ? 503 : 404;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
      return this.logRequest(req, status, start, log);
    }
    target.active++;
    socket.once('close', () => target.active--);
    const upstream = http.request({
      host: target.ep.ip,
      port: target.ep.port,
      method: req.method,
      path: req.url,
      headers: upstreamRequestHeaders(req.headers, { clientAddress: req.socket.remoteAddress ?? '', proto, port: req.socket.localPort ?? 0 }, String(req.headers.upgrade ?? '')),
    });
    upstream.on('upgrade', (ur, upSocket, upHead) => {
      log.upstreamStatus = ur.statusCode;
      const lines = [`HTTP/1.1 ${ur.statusCode} ${ur.statusMessage}`];
      for (let i = 0; i < ur.rawHeaders.length; i += 2) lines.push(`${ur.rawHeaders[i]}: ${ur.rawHeaders[i + 1]}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.on('error', () => socket.destroy());
      socket.on('close', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
      upSocket.pipe(socket).pipe(upSocket);
      this.logRequest(req, ur.statusCode ?? 101, start, log);
    });
    upstream.on('response', (ur) => {
      // The backend refused to switch: relay its answer and close.
      log.upstreamStatus = ur.statusCode;
      const lines = [`HTTP/1.1 ${ur.statusCode} ${ur.statusMessage}`, 'connection: close'];
      const headers = endToEndHeaders(ur.headers);
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      ur.pipe(socket);
      this.logRequest(req, ur.statusCode ?? 502, start, log);
    });
    upstream.on('error', () => {
      socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      this.logRequest(req, 502, start, log);
    });
    upstream.end();
  }

  private logRequest(req: ClientRequest, status: number, start: number, log: RequestRecord): void {
    const end = this.now();
    const entry: AccessLogEntry = {
      clientAddress: req.socket.remoteAddress ?? '-',
      time: new Date(end),
      method: req.method ?? '-',
      target: req.url ?? '/',
      httpVersion: req.httpVersion,
      status,
      bytesSent: log.bytes,
      referer: req.headers.referer as string | undefined,
      userAgent: req.headers['user-agent'] as string | undefined,
      requestLength: Number(req.headers['content-length'] ?? 0),
      durationMs: end - start,
      backend: log.backend,
      upstream: log.upstream,
      upstreamStatus: log.upstreamStatus,
    };
    this.opts.accessLog(accessLogLine(entry));
    this.opts.metrics?.observe(log.route, { status, durationSeconds: entry.durationMs / 1000, bytesSent: log.bytes, bytesReceived: log.received, endpoint: log.upstream });
  }

  /** Stops its servers, ends every client connection and the connections to backends. */
  async close(): Promise<void> {
    const closed = [...this.servers].filter((s) => s.listening).map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const socket of this.clientSockets) socket.destroy();
    this.agent.destroy();
    await Promise.all(closed);
  }
}
