// The node's proxy status endpoints. `kanzen traffic` reads the proxy's Prometheus text
// over a unix socket in the node's folder (<home>/nodes/<node>/metrics.sock, mode 0600:
// no port to find, no network to cross from the host). Inside the node's network
// namespace the same text is also served where kube-proxy serves it
// (--metrics-bind-address, port 10249: /metrics, /healthz, /proxyMode), and the
// proxier health server answers on port 10256 (--healthz-bind-address: /healthz, /livez)
// with kube-proxy's JSON (pkg/proxy/healthcheck/proxier_health.go).
import fs from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../util/logger.js';

/** Upstream ports.ProxyStatusPort and ports.ProxyHealthzPort. */
export const proxyStatusPort = 10249;
export const proxyHealthzPort = 10256;

/** What the proxy status servers read from the node agent on each request. */
export interface ProxyStatus {
  /** The Prometheus text exposition of the proxy's metrics (nftables: after reading the kernel's counters). */
  metrics(): string | Promise<string>;
  /** What kube-proxy's /proxyMode answers: the backend this node runs (proxy-mode.ts). */
  proxyMode: string;
  /** Upstream proxierHealthServer.isHealthy(): the proxy is programming changes in time. */
  healthy(): boolean;
  /** When the data plane was last programmed successfully (undefined: never). */
  lastUpdated(): Date | undefined;
  /** False once the Node is being deleted or tainted ToBeDeletedByClusterAutoscaler. */
  nodeEligible(): boolean;
}

export interface StatusServer {
  close(): Promise<void>;
}

/** The content type client_golang's promhttp answers for the text format. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

// Go's time.Time.String() prints the monotonic clock reading as seconds since the process
// started; performance.now() counts from the same moment here.
const processStartMs = Date.now() - performance.now();

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * Go's time.Time.String() of a UTC time ("2006-01-02 15:04:05.999999999 -0700 MST", then
 * " m=+<seconds>" for a reading of the monotonic clock): what kube-proxy's healthz prints
 * with %q. Undefined is Go's zero time.
 */
export function goTimeString(d: Date | undefined, withMonotonic = true): string {
  if (!d) return '0001-01-01 00:00:00 +0000 UTC';
  const ms = d.getUTCMilliseconds();
  const frac = ms ? `.${pad(ms, 3).replace(/0+$/, '')}` : '';
  const wall = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} +0000 UTC`;
  if (!withMonotonic) return wall;
  const mono = (d.getTime() - processStartMs) / 1000;
  return `${wall} m=${mono < 0 ? '-' : '+'}${Math.abs(mono).toFixed(9)}`;
}

/**
 * kube-proxy's /healthz body, byte for byte in shape: a healthy proxy reports lastUpdated
 * as the current time (upstream keeps that for compatibility with older releases).
 */
export function proxyHealthzBody(status: { healthy: boolean; lastUpdated?: Date; nodeEligible: boolean }, now: Date, withNodeEligible = true): string {
  const lastUpdated = status.healthy ? now : status.lastUpdated;
  const head = `{"lastUpdated": ${JSON.stringify(goTimeString(lastUpdated))},"currentTime": ${JSON.stringify(goTimeString(now))}`;
  return withNodeEligible ? `${head}, "nodeEligible": ${status.nodeEligible}}` : `${head}}`;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

function notFound(res: http.ServerResponse): void {
  // Go's http.NotFound.
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('404 page not found\n');
}

function router(routes: Record<string, Handler>): Handler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const h = routes[path];
    if (!h) return notFound(res);
    const failed = (e: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${(e as Error).message}\n`);
    };
    try {
      void Promise.resolve(h(req, res)).catch(failed);
    } catch (e) {
      failed(e);
    }
  };
}

function metricsHandler(status: ProxyStatus): Handler {
  return async (_req, res) => {
    const text = await status.metrics();
    res.writeHead(200, { 'Content-Type': prometheusContentType });
    res.end(text);
  };
}

function healthzHandler(status: ProxyStatus, withNodeEligible: boolean, now: () => Date): Handler {
  return (_req, res) => {
    const eligible = status.nodeEligible();
    const healthy = status.healthy() && (!withNodeEligible || eligible);
    res.writeHead(healthy ? 200 : 503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
    res.end(proxyHealthzBody({ healthy, lastUpdated: status.lastUpdated(), nodeEligible: eligible }, now(), withNodeEligible));
  };
}

function listen(server: http.Server, where: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if ('path' in where) server.listen(where.path, done);
    else server.listen(where.port, where.host, done);
  });
}

function closer(servers: http.Server[]): StatusServer {
  return {
    close: () =>
      Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((done) => {
              s.close(() => done());
              s.closeAllConnections();
            }),
        ),
      ).then(() => undefined),
  };
}

/** GET /metrics over a unix socket only its owner (root) may open. */
export async function startMetricsSocket(opts: { socketPath: string; status: ProxyStatus; logger: Logger }): Promise<StatusServer> {
  const server = http.createServer(router({ '/metrics': metricsHandler(opts.status) }));
  fs.rmSync(opts.socketPath, { force: true });
  await listen(server, { path: opts.socketPath });
  fs.chmodSync(opts.socketPath, 0o600);
  opts.logger.info('proxy metrics listening', { socket: opts.socketPath });
  return closer([server]);
}

/**
 * kube-proxy's metrics server (port 10249) and proxier health server (port 10256) on the
 * node's address. Best effort: a port another process holds is logged, not fatal, since
 * nothing in kanzen depends on these ports.
 */
export async function startProxyStatusServers(opts: { address: string; status: ProxyStatus; logger: Logger; metricsPort?: number; healthzPort?: number; now?: () => Date }): Promise<StatusServer> {
  const now = opts.now ?? (() => new Date());
  const servers: http.Server[] = [];
  const specs: [number, Record<string, Handler>][] = [
    [
      opts.metricsPort ?? proxyStatusPort,
      {
        '/metrics': metricsHandler(opts.status),
        // healthz.InstallHandler on the metrics mux: a plain "ok".
        '/healthz': (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
          res.end('ok');
        },
        '/proxyMode': (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
          res.end(opts.status.proxyMode);
        },
      },
    ],
    [opts.healthzPort ?? proxyHealthzPort, { '/healthz': healthzHandler(opts.status, true, now), '/livez': healthzHandler(opts.status, false, now) }],
  ];
  for (const [port, routes] of specs) {
    const server = http.createServer(router(routes));
    try {
      await listen(server, { host: opts.address, port });
      servers.push(server);
    } catch (e) {
      opts.logger.warn('proxy status server not started', { address: `${opts.address}:${port}`, err: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
    }
  }
  return closer(servers);
}
