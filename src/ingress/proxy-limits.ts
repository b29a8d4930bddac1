// The Ingress proxy's limits, with ingress-nginx's defaults, so that no client and no backend
// can stall it: a backend that does not accept within proxy-connect-timeout (5 s) or goes
// quiet for proxy-read-timeout (60 s) gets the client a 504; a client that does not finish
// its headers in client-header-timeout (60 s) gets Node's 408, one with headers over 16 KiB
// Node's 431 (nginx answers 400 there; Node's status is the precise one); idle keep-alive
// client connections close after keep-alive (75 s); connections beyond max-worker-connections
// are closed on accept; idle connections to backends are kept up to
// upstream-keepalive-connections (320) for upstream-keepalive-timeout (60 s).
import type { ClientRequest, Server } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Socket } from 'node:net';

export interface ProxyLimits {
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  readonly upstreamKeepaliveConnections: number;
  readonly upstreamKeepaliveTimeoutMs: number;
}

export const defaultProxyLimits: ProxyLimits = {
  connectTimeoutMs: 5_000,
  readTimeoutMs: 60_000,
  headersTimeoutMs: 60_000,
  keepAliveTimeoutMs: 75_000,
  maxConnections: 16_384,
  upstreamKeepaliveConnections: 320,
  upstreamKeepaliveTimeoutMs: 60_000,
};

/** A backend that did not connect or answer in time: the client gets a 504. */
export class UpstreamTimeoutError extends Error {
  constructor(readonly phase: 'connect' | 'read') {
    super(`upstream timed out (${phase})`);
  }
}

/** The client-facing limits on an HTTP/1.1 server (or an HTTP/2 one, whose HTTP/1.1 side is the same parser). */
export function applyServerLimits(server: Server | Http2SecureServer, limits: ProxyLimits): void {
  server.maxConnections = limits.maxConnections;
  const h1 = server as Server;
  h1.headersTimeout = limits.headersTimeoutMs;
  h1.keepAliveTimeout = limits.keepAliveTimeoutMs;
}

/**
 * Bounds one request to a backend: the connect (only when a new socket is opened; a kept-alive
 * one is already connected) and every wait for the backend's next bytes. Either expiry
 * destroys the request with an UpstreamTimeoutError.
 */
export function guardUpstream(req: ClientRequest, limits: ProxyLimits): void {
  req.setTimeout(limits.readTimeoutMs, () => req.destroy(new UpstreamTimeoutError('read')));
  req.once('socket', (socket: Socket) => {
    if (!socket.connecting) return;
    const timer = setTimeout(() => req.destroy(new UpstreamTimeoutError('connect')), limits.connectTimeoutMs);
    const clear = () => clearTimeout(timer);
    socket.once('connect', clear);
    socket.once('close', clear);
  });
}

/** What the client is answered when the request to its backend failed before a response: nginx's 504 for timeouts, else 502. */
export function upstreamFailureStatus(err: unknown): 502 | 504 {
  return err instanceof UpstreamTimeoutError ? 504 : 502;
}
