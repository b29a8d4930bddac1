// The node agent's "kubelet server": the streaming endpoints the API server proxies
// `kubectl logs`, `exec`, `attach` and `run -it` to (upstream: pkg/kubelet/server
// server.go getContainerLogs / getExec / getAttach). HTTP on a unix socket, mode 0600.
//   GET /containerLogs/{ns}/{pod}/{container}?follow=&tailLines=&timestamps=&previous=&sinceSeconds=&sinceTime=&limitBytes=
//   GET /exec/{ns}/{pod}/{container}?command=…&input=1&output=1&error=1&tty=1   (upgrade: WebSocket or SPDY/3.1)
//   GET /attach/{ns}/{pod}/{container}?input=1&output=1&error=1&tty=1
//   GET /portForward/{ns}/{pod}?port=80&port=…   (upgrade: SPDY/3.1, a WebSocket tunneling SPDY, or WebSocket channels v4)
//   CONNECT {pod IP}:{port}         (a tunnel to a pod: the API server's pods/proxy and services/proxy)
//   GET /metrics/resource           (the node's and its containers' CPU and memory, scraped for metrics.k8s.io)
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../api/errors.js';
import { queryBool } from '../../api/query-params.js';
import type { Logger } from '../../util/logger.js';
import { prometheusContentType } from '../metrics-server.js';
import { renderResourceMetrics } from '../../api/resource-metrics-text.js';
import type { NodeResourceUsage } from '../../api/node-resource-usage.js';
import { parseLogOptions, streamContainerLog } from './container-logs.js';
import { exitStatus, serveRemoteCommand, successStatus, type RemoteCommandTransport } from './remotecommand.js';
import { acceptSpdy, isSpdyUpgrade, negotiateSpdyProtocol, spdyNegotiationError } from './spdy-remotecommand.js';
import { dialPod, type ContainerRef, type StreamingProcess, type StreamingRuntime, type StreamOptions } from './streaming-runtime.js';
import { acceptWebsocket, negotiateWebsocketProtocol, websocketProtocols } from './websocket-remotecommand.js';
import { acceptSpdyPortForward, portForwardProtocol, servePortForward, tunneledPortForwardProtocol } from './spdy-portforward.js';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { acceptWebsocketPortForward, negotiatePortForwardProtocol, offeredProtocols, parseWebsocketPorts, portForwardProtocolError } from './websocket-portforward.js';

export interface KubeletServerOptions {
  socketPath: string;
  runtime: StreamingRuntime;
  logger: Logger;
  /** The node's resource usage now (upstream: the kubelet's resource metrics collector). */
  resourceUsage?: () => NodeResourceUsage;
}

export interface KubeletServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

interface Route {
  verb: 'containerLogs' | 'exec' | 'attach';
  ref: ContainerRef;
}

/** `/portForward/{ns}/{pod}`: the pod, or undefined for any other path. */
function portForwardRoute(pathname: string): { namespace: string; pod: string } | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  return parts.length === 3 && parts[0] === 'portForward' ? { namespace: parts[1], pod: parts[2] } : undefined;
}

// `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token ('/' is a separator), so ws
// refuses it as a subprotocol. The request carries a stand-in token instead, and the
// answer's header is put back through ws's documented 'headers' hook.
const tunnelToken = 'kanzen-spdy-tunnel';
const tunnelServer = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => tunnelToken });
tunnelServer.on('headers', (headers: string[]) => {
  const i = headers.indexOf(`Sec-WebSocket-Protocol: ${tunnelToken}`);
  if (i >= 0) headers[i] = `Sec-WebSocket-Protocol: ${tunneledPortForwardProtocol}`;
});

function route(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length !== 4) return undefined;
  const [verb, namespace, pod, container] = parts;
  if (verb !== 'containerLogs' && verb !== 'exec' && verb !== 'attach') return undefined;
  return { verb, ref: { namespace, pod, container } };
}

/** The kubelet's query (input/output/error/tty=1) or the API's (stdin/stdout/stderr/tty=true). */
export function parseStreamOptions(q: URLSearchParams): StreamOptions {
  const on = (...names: string[]) => names.some((n) => queryBool(q, n));
  return { stdin: on('input', 'stdin'), stdout: on('output', 'stdout'), stderr: on('error', 'stderr'), tty: on('tty') };
}

/** An HTTP answer written on a socket that was not upgraded. */
function rawResponse(socket: Duplex, code: number, body: string, contentType: string): void {
  if (socket.destroyed) return;
  const reason = http.STATUS_CODES[code] ?? '';
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function rawError(socket: Duplex, err: unknown): void {
  const e = err instanceof ApiError ? err : ApiError.internal(err);
  rawResponse(socket, e.code, JSON.stringify(e.status), 'application/json');
}

export function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const { runtime, logger } = opts;
  const upgraded = new Set<Duplex>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (url.pathname === '/metrics/resource' && req.method === 'GET' && opts.resourceUsage) {
      res.writeHead(200, { 'Content-Type': prometheusContentType }).end(renderResourceMetrics(opts.resourceUsage()));
      return;
    }
    const r = route(url.pathname);
    if (!r || req.method !== 'GET') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    if (r.verb !== 'containerLogs') {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Upgrade request required\n');
      return;
    }
    serveLogs(r.ref, url, req, res).catch((err) => {
      const e = err instanceof ApiError ? err : ApiError.internal(err);
      if (!(err instanceof ApiError)) logger.error('container logs failed', { url: req.url, err: String(err) });
      if (!res.headersSent) res.writeHead(e.code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(e.message);
      else res.destroy();
    });
  };

  async function serveLogs(ref: ContainerRef, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const logOpts = parseLogOptions(url.searchParams);
    const file = await runtime.containerLogFile(ref, logOpts.previous);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    let closed = false;
    res.on('close', () => (closed = true));
    await streamContainerLog(file, logOpts, {
      get closed() {
        return closed;
      },
      write: (chunk) =>
        new Promise<void>((resolve) => {
          if (closed || res.write(chunk)) resolve();
          else {
            res.once('drain', resolve);
            res.once('close', resolve);
          }
        }),
    });
    res.end();
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    serveStream(req, socket, head).catch((err) => {
      if (!(err instanceof ApiError)) logger.warn('stream failed', { url: req.url, err: err instanceof Error ? err.message : String(err) });
      rawError(socket, err);
    });
  };

  /**
   * Port-forward: SPDY/3.1 upgrade (kubectl ≤ 1.30), SPDY tunneled in a WebSocket (kubectl
   * ≥ 1.31), or WebSocket channels with the ports in the query (client libraries).
   */
  async function servePortForwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, pod: { namespace: string; pod: string }): Promise<void> {
    const dial = (port: number) => runtime.portForward(pod.namespace, pod.pod, port);
    const podDesc = `${pod.namespace}/${pod.pod}`;
    if (isSpdyUpgrade(req)) {
      if (!negotiateSpdyProtocol(req, [portForwardProtocol])) return rawResponse(socket, 403, spdyNegotiationError(req, [portForwardProtocol]), 'text/plain; charset=utf-8');
      logger.debug('port-forward', { pod: podDesc, protocol: 'SPDY/3.1' });
      return acceptSpdyPortForward(socket, head, dial, podDesc);
    }
    if (negotiateWebsocketProtocol(req, [tunneledPortForwardProtocol])) {
      req.headers['sec-websocket-protocol'] = tunnelToken;
      tunnelServer.handleUpgrade(req, socket, head, (ws) => {
        logger.debug('port-forward', { pod: podDesc, protocol: tunneledPortForwardProtocol });
        servePortForward(createWebSocketStream(ws), Buffer.alloc(0), dial, podDesc);
      });
      return;
    }
    // The kubelet reads the ports before the upgrade (NewV4Options) and answers 400 with the reason.
    const parsed = parseWebsocketPorts(url.searchParams);
    if ('error' in parsed) return rawResponse(socket, 400, parsed.error, 'text/plain; charset=utf-8');
    const protocol = negotiatePortForwardProtocol(offeredProtocols(req));
    if (protocol === undefined) return rawResponse(socket, 403, portForwardProtocolError(req), 'text/plain; charset=utf-8');
    logger.debug('port-forward', { pod: podDesc, protocol: protocol || 'channel', ports: parsed.ports });
    acceptWebsocketPortForward(req, socket, head, parsed.ports, dial, podDesc);
  }

  async function serveStream(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const pf = portForwardRoute(url.pathname);
    if (pf && (req.method === 'GET' || req.method === 'POST')) return servePortForwardUpgrade(req, socket, head, url, pf);
    const r = route(url.pathname);
    if (!r || r.verb === 'containerLogs' || (req.method !== 'GET' && req.method !== 'POST')) return rawResponse(socket, 404, '404 page not found\n', 'text/plain; charset=utf-8');
    const streamOpts = parseStreamOptions(url.searchParams);
    const command = url.searchParams.getAll('command');
    if (r.verb === 'exec' && command.length === 0) throw ApiError.badRequest('you must specify at least 1 command');
    if (!streamOpts.stdin && !streamOpts.stdout && !streamOpts.stderr) throw ApiError.badRequest('you must specify at least 1 of stdin, stdout, stderr');

    const spdy = isSpdyUpgrade(req);
    const spdyProtocol = spdy ? negotiateSpdyProtocol(req) : undefined;
    const wsProtocol = spdy ? undefined : negotiateWebsocketProtocol(req);
    if (spdy && !spdyProtocol) return rawResponse(socket, 403, spdyNegotiationError(req), 'text/plain; charset=utf-8');
    if (!spdy && !wsProtocol) {
      return rawResponse(socket, 400, `unable to upgrade: supported protocols are SPDY/3.1 and WebSocket (${websocketProtocols.join(', ')})`, 'text/plain; charset=utf-8');
    }

    const proc: StreamingProcess = r.verb === 'exec' ? await runtime.exec(r.ref, command, streamOpts) : await runtime.attach(r.ref, streamOpts);
    let transport: RemoteCommandTransport;
    try {
      transport = spdy ? await acceptSpdy(socket, head, spdyProtocol!, streamOpts) : await acceptWebsocket(req, socket, head);
    } catch (err) {
      proc.close();
      logger.debug('stream setup failed', { url: req.url, err: err instanceof Error ? err.message : String(err) });
      return;
    }
    logger.debug('stream', { verb: r.verb, pod: `${r.ref.namespace}/${r.ref.pod}`, container: r.ref.container, protocol: spdyProtocol ?? wsProtocol });
    await serveRemoteCommand(proc, transport, streamOpts, (code) => (r.verb === 'exec' ? exitStatus(code, command) : successStatus()));
  }

  /**
   * The API server (in the host's namespace, which cannot reach pod IPs) asks the node to
   * connect it to a pod's port; the answer is a plain CONNECT tunnel. Only the API server
   * can ask: the socket is root's, mode 0600.
   */
  const onConnect = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(req.url ?? '');
    if (!m) return rawResponse(socket, 400, `bad CONNECT target ${req.url}\n`, 'text/plain; charset=utf-8');
    dialPod(m[1], Number(m[2])).then(
      (pod) => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) pod.write(head);
        pod.pipe(socket);
        socket.pipe(pod);
        pod.on('error', () => socket.destroy());
        pod.on('close', () => socket.destroy());
        socket.on('close', () => pod.destroy());
      },
      (err: Error) => rawResponse(socket, 502, `${err.message}\n`, 'text/plain; charset=utf-8'),
    );
  };

  const server = http.createServer(onRequest);
  server.on('upgrade', onUpgrade);
  server.on('connect', onConnect);
  return new Promise((resolve, reject) => {
    fs.rmSync(opts.socketPath, { force: true });
    server.once('error', reject);
    server.listen(opts.socketPath, () => {
      fs.chmodSync(opts.socketPath, 0o600);
      resolve({
        socketPath: opts.socketPath,
        close: () =>
          new Promise<void>((done) => {
            for (const s of upgraded) s.destroy();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
