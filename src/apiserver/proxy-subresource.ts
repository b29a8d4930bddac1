// pods/proxy and services/proxy: HTTP from the API server to a pod, as `kubectl proxy`,
// dashboards and `kubectl get --raw …/services/web:80/proxy/…` use it (upstream:
// pkg/registry/core/pod/strategy.go and service/proxy.go ResourceLocation, proxy's
// UpgradeAwareHandler). The API server lives in the host's namespace, which cannot reach
// pod IPs, so it asks the pod's node agent for a CONNECT tunnel (kubelet-server.ts) and
// speaks HTTP to the pod through it.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { ApiError } from '../api/errors.js';
import type { Endpoints, Pod, Service } from '../api/types.js';
import type { RequestInfo } from './request-info.js';

export interface ProxyDeps {
  getPod(namespace: string, name: string): Promise<Pod>;
  getService(namespace: string, name: string): Promise<Service>;
  getEndpoints(namespace: string, name: string): Promise<Endpoints | undefined>;
  /** The node agent socket of a node, or of any node when nodeName is undefined or unknown. */
  nodeAgentSocket(nodeName: string | undefined): string | undefined | Promise<string | undefined>;
  random?: () => number;
}

/** `name`, `name:port` or `scheme:name:port` (net.SplitSchemeNamePort). */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  if (parts.length === 1) return { scheme: '', name: parts[0], port: '' };
  if (parts.length === 2) return { scheme: '', name: parts[0], port: parts[1] };
  if (parts.length === 3 && (parts[0] === 'http' || parts[0] === 'https' || parts[0] === '')) return { scheme: parts[0], name: parts[1], port: parts[2] };
  return undefined;
}

interface Location {
  ip: string;
  port: number;
  nodeName?: string;
}

/** Pod ResourceLocation: its IP and the named port, the given number, or its first container port. */
export function podLocation(pod: Pod, port: string): Location {
  const name = pod.metadata.name ?? '';
  const ip = pod.status?.podIP;
  if (!ip) throw ApiError.badRequest(`address not allowed`);
  let p = port ? Number(port) : NaN;
  if (port && !Number.isInteger(p)) {
    const named = pod.spec.containers.flatMap((c) => c.ports ?? []).find((cp) => cp.name === port);
    if (!named) throw ApiError.badRequest(`invalid port name "${port}" for pod ${name}`);
    p = named.containerPort;
  }
  if (!port) p = pod.spec.containers.flatMap((c) => c.ports ?? [])[0]?.containerPort ?? 80;
  return { ip, port: p, nodeName: pod.spec.nodeName };
}

/** Service ResourceLocation: a random ready address of the Endpoints subset carrying the port. */
export function serviceLocation(svc: Service, eps: Endpoints | undefined, port: string, random: () => number): Location {
  const name = svc.metadata.name ?? '';
  const svcPort = (svc.spec.ports ?? []).find((p) => !port || p.name === port || String(p.port) === port);
  if (!svcPort) throw ApiError.serviceUnavailable(`no service port ${JSON.stringify(port)} found for service "${name}"`);
  const candidates: Location[] = [];
  for (const ss of eps?.subsets ?? []) {
    const epPort = (ss.ports ?? []).find((p) => (p.name ?? '') === (svcPort.name ?? ''));
    if (!epPort) continue;
    for (const a of ss.addresses ?? []) candidates.push({ ip: a.ip, port: epPort.port, nodeName: a.nodeName });
  }
  if (!candidates.length) throw ApiError.serviceUnavailable(`no endpoints available for service "${name}"`);
  return candidates[Math.floor(random() * candidates.length) % candidates.length];
}

/** A tunnel to ip:port through a node agent (HTTP CONNECT on its socket). */
export function dialThroughNode(socketPath: string, ip: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let head = Buffer.alloc(0);
    s.once('error', (e) => reject(e));
    s.once('connect', () => s.write(`CONNECT ${ip}:${port} HTTP/1.1\r\nHost: ${ip}:${port}\r\n\r\n`));
    const onData = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      const status = head.subarray(0, end).toString();
      const body = head.subarray(end + 4).toString().trim();
      if (!/^HTTP\/1\.1 200/.test(status)) {
        s.destroy();
        return reject(new Error(body || status.split('\r\n')[0]));
      }
      // HTTP: the pod says nothing before the request, so nothing follows the 200 yet.
      resolve(s);
    };
    s.on('data', onData);
  });
}

/** Request headers not passed to the pod: credentials and hop-by-hop framing. */
const dropHeaders = new Set(['authorization', 'host', 'connection', 'keep-alive', 'proxy-authorization', 'te', 'trailer', 'upgrade']);

/** What a proxy subresource proxies to (upstream: its registry's ResourceLocation). */
export interface ProxyTarget {
  /** The resource's name in "invalid … request" errors. */
  noun: string;
  locate(deps: ProxyDeps, namespace: string, name: string, port: string): Promise<Location>;
}

/** pods/proxy: the pod's IP. */
export const podProxy: ProxyTarget = { noun: 'pod', locate: async (deps, ns, name, port) => podLocation(await deps.getPod(ns, name), port) };

/** services/proxy: one of the Service's ready endpoints. */
export const serviceProxy: ProxyTarget = {
  noun: 'service',
  locate: async (deps, ns, name, port) => serviceLocation(await deps.getService(ns, name), await deps.getEndpoints(ns, name), port, deps.random ?? Math.random),
};

export async function serveProxy(target: ProxyTarget, deps: ProxyDeps, ri: RequestInfo, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const id = splitSchemeNamePort(ri.name ?? '');
  if (!id) throw ApiError.badRequest(`invalid ${target.noun} request "${ri.name}"`);
  const ns = ri.namespace ?? 'default';
  // The proxy's root is a directory: …/proxy redirects to …/proxy/ (UpgradeAwareHandler).
  if (ri.rest.length === 0 && !url.pathname.endsWith('/')) {
    res.writeHead(301, { Location: `${url.pathname}/${url.search}` }).end();
    return;
  }
  const loc = await target.locate(deps, ns, id.name, id.port);
  if (id.scheme === 'https') throw ApiError.badRequest('https to pods is not supported by kanzen\'s proxy');
  const socketPath = await deps.nodeAgentSocket(loc.nodeName);
  if (!socketPath) throw ApiError.serviceUnavailable(`no node agent can reach ${loc.ip}`);
  let tunnel: net.Socket;
  try {
    tunnel = await dialThroughNode(socketPath, loc.ip, loc.port);
  } catch (err) {
    throw ApiError.serviceUnavailable(`error trying to reach service: ${(err as Error).message}`);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !dropHeaders.has(k)) headers[k] = v;
  headers.host = `${loc.ip}:${loc.port}`;
  const path = '/' + ri.rest.map(encodeURIComponent).join('/') + (url.pathname.endsWith('/') && ri.rest.length ? '/' : '') + url.search;
  await new Promise<void>((resolve) => {
    const out = http.request({ method: req.method, path, headers, createConnection: () => tunnel }, (podRes) => {
      const resHeaders = { ...podRes.headers };
      delete resHeaders.connection;
      delete resHeaders['keep-alive'];
      res.writeHead(podRes.statusCode ?? 502, resHeaders);
      podRes.pipe(res);
      podRes.on('end', resolve);
      podRes.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(503, { 'Content-Type': 'text/plain' }).end(`error trying to reach service: ${err.message}`);
      else res.destroy();
      resolve();
    });
    res.on('close', () => tunnel.destroy());
    req.pipe(out);
  });
}
