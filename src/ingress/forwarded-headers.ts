// The headers a request carries to its backend. Hop-by-hop headers (RFC 9110 §7.6.1: those
// named in Connection, and Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade,
// Proxy-Connection) belong to one connection and are dropped; Host is kept as the client sent
// it (the conformance tests check the backend sees it). X-Forwarded-For is set to the client's
// address, not appended to: like ingress-nginx with use-forwarded-headers off, kanzen does not
// trust what a client claims about earlier hops. A WebSocket upgrade keeps Connection/Upgrade.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const hopByHop = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization']);

export interface ForwardedFor {
  /** The client's address as the proxy saw it. */
  readonly clientAddress: string;
  readonly proto: 'http' | 'https';
  /** The port the client connected to. */
  readonly port: number;
}

/** Drops the hop-by-hop headers of a message (request or response). */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    // HTTP/2 pseudo-headers (":method", ":authority" …) are not headers of an HTTP/1.1 message.
    if (value === undefined || hopByHop.has(name) || named.has(name) || name.startsWith(':')) continue;
    out[name] = value;
  }
  return out;
}

export function upstreamRequestHeaders(headers: IncomingHttpHeaders, f: ForwardedFor, upgrade?: string): OutgoingHttpHeaders {
  const out = endToEndHeaders(headers);
  const client = f.clientAddress.startsWith('::ffff:') ? f.clientAddress.slice(7) : f.clientAddress;
  out['x-forwarded-for'] = client;
  out['x-real-ip'] = client;
  out['x-forwarded-proto'] = f.proto;
  // An HTTP/2 request names its host in :authority (RFC 9113 §8.3.1); the backend gets it as Host.
  const host = headers.host ?? (headers[':authority'] as string | undefined) ?? '';
  out.host = host;
  out['x-forwarded-host'] = host;
  out['x-forwarded-port'] = String(f.port);
  if (upgrade) {
    out.connection = 'upgrade';
    out.upgrade = upgrade;
  }
  return out;
}
