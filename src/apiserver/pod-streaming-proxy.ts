// pods/log, pods/exec, pods/attach and pods/portforward: the API server locates the pod's
// node agent and proxies the request there (upstream: pkg/registry/core/pod/strategy.go
// LogLocation / streamLocation / PortForwardLocation, rest/log.go, and the
// UpgradeAwareHandler). For log the body is streamed through and the node's errors become
// Status; for the others the upgrade (WebSocket or SPDY) is forwarded and bytes are piped
// both ways, so the streaming protocol runs end to end between kubectl and the node agent.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError } from '../api/errors.js';
import { queryBool as truthy } from '../api/query-params.js';
import { allContainers } from '../api/pod-containers.js';
import type { Pod } from '../api/types.js';
import type { Logger } from '../util/logger.js';
import { sendError } from './http.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { endConnection } from '../util/end-connection.js';

export type PodStreamSubresource = 'log' | 'exec' | 'attach' | 'portforward';

export function isPodStreamSubresource(s: string | undefined): s is PodStreamSubresource {
  return s === 'log' || s === 'exec' || s === 'attach' || s === 'portforward';
}

/** Where on the node agent a request goes: its node and the kubelet-server path with query. */
export interface PodStreamTarget {
  nodeName: string;
  path: string;
}

export interface PodStreamingDeps {
  /** The pod, or an ApiError NotFound (`pods "p" not found`). */
  getPod(namespace: string, name: string): Promise<Pod>;
  /** The unix socket of the node agent's kubelet server for a node, if the node is known. */
  nodeAgentSocket(nodeName: string): string | undefined | Promise<string | undefined>;
  /** The API server's bearer-token check, used for upgrade requests on the untrusted listener. */
  authenticate(req: IncomingMessage): boolean | Promise<boolean>;
  logger?: Logger;
}

/** validateContainer: the named container must exist; an unnamed one is the pod's only container. */
export function validateContainer(container: string, pod: Pod): string {
  const name = pod.metadata.name ?? '';
  if (!container) {
    if (pod.spec.containers.length === 1) return pod.spec.containers[0].name;
    if (pod.spec.containers.length === 0) throw ApiError.badRequest(`a container name must be specified for pod ${name}`);
    // Go's %s of a []string: [a b c]
    throw ApiError.badRequest(`a container name must be specified for pod ${name}, choose one of: [${allContainers(pod.spec).map((c) => c.name).join(' ')}]`);
  }
  if (!allContainers(pod.spec).some((c) => c.name === container)) throw ApiError.badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/**
 * The node-agent path for a pod's log/exec/attach request (LogLocation / streamLocation),
 * or undefined for the log of a pod not yet scheduled (upstream answers an empty body).
 */
export function podStreamTarget(pod: Pod, subresource: PodStreamSubresource, query: URLSearchParams): PodStreamTarget | undefined {
  const nodeName = pod.spec.nodeName ?? '';
  const ns = pod.metadata.namespace ?? 'default';
  if (subresource === 'portforward') {
    // PortForwardLocation: the pod's node. SPDY clients name the ports in stream headers;
    // WebSocket ones in the query, passed on as the kubelet's `port` (streamParams).
    if (!nodeName) throw ApiError.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    const ports = podPortForwardPorts(query);
    const qs = ports.length ? `?${new URLSearchParams({ port: ports.join(',') }).toString()}` : '';
    return { nodeName, path: `/portForward/${enc(ns)}/${enc(pod.metadata.name ?? '')}${qs}` };
  }
  const container = validateContainer(query.get('container') ?? '', pod);
  const params = new URLSearchParams();
  if (subresource === 'log') {
    if (!nodeName) return undefined;
    for (const f of ['follow', 'previous', 'timestamps']) if (truthy(query, f)) params.append(f, 'true');
    for (const n of ['sinceSeconds', 'sinceTime', 'tailLines', 'limitBytes']) {
      const v = query.get(n);
      if (v !== null && v !== '') params.append(n, v);
    }
  } else {
    if (!nodeName) throw ApiError.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    // streamParams: the kubelet's parameter names.
    if (truthy(query, 'stdin')) params.append('input', '1');
    if (truthy(query, 'stdout')) params.append('output', '1');
    if (truthy(query, 'stderr')) params.append('error', '1');
    if (truthy(query, 'tty')) params.append('tty', '1');
    if (subresource === 'exec') for (const c of query.getAll('command')) params.append('command', c);
  }
  const verb = subresource === 'log' ? 'containerLogs' : subresource;
  const qs = params.toString();
  return { nodeName, path: `/${verb}/${enc(ns)}/${enc(pod.metadata.name ?? '')}/${enc(container)}${qs ? `?${qs}` : ''}` };
}

const enc = encodeURIComponent;

/**
 * PodPortForwardOptions.ports from the query (Convert_Slice_string_To_Slice_int32: repeated
 * or comma-separated, each strconv.ParseUint(v, 10, 16)); a bad one is a 400 before the
 * pod is looked up. Ports of 0 pass here and are refused by the kubelet.
 */
export function podPortForwardPorts(query: URLSearchParams): number[] {
  const ports: number[] = [];
  for (const value of query.getAll('ports')) {
    for (const v of value.split(',')) {
      const why = !/^[0-9]+$/.test(v) ? 'invalid syntax' : Number(v) > 0xffff ? 'value out of range' : undefined;
      if (why) throw ApiError.badRequest(`cannot convert to []int32: strconv.ParseUint: parsing "${v}": ${why}`);
      ports.push(Number(v));
    }
  }
  return ports;
}

/** The error for a node's non-2xx log answer (GenericHttpResponseChecker). */
function nodeError(code: number, body: string, podName: string): ApiError {
  if (code === 400) return ApiError.badRequest(body);
  if (code === 500) return new ApiError(500, 'InternalError', `Internal error occurred: ${body}`, { causes: [{ message: body }] });
  if (code === 404) {
    return new ApiError(404, 'NotFound', `the server could not find the requested resource ( pods/log ${podName})`, {
      name: podName,
      kind: 'pods/log',
      causes: [{ reason: 'UnexpectedServerResponse', message: body }],
    });
  }
  return new ApiError(code, 'Unknown', body || `the server responded with the status code ${code} but did not return more information`, { name: podName, kind: 'pods/log' });
}

function dialError(target: { socketPath: string; path: string }, err: Error): ApiError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' || code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
  return ApiError.internal(new Error(`Get "http://kubelet${target.path}": dial unix ${target.socketPath}: ${why}`));
}

/**
 * Proxies one request to the node agent. With a ServerResponse (log): a plain HTTP proxy
 * that streams the body and maps the node's errors to Status. With the raw socket of an
 * 'upgrade' event (exec/attach): forwards the upgrade request and pipes bytes both ways.
 */
export function proxyPodStream(
  req: IncomingMessage,
  out: ServerResponse | Duplex,
  head: Buffer | undefined,
  target: { socketPath: string; path: string },
  podName = '',
): Promise<void> {
  if (isServerResponse(out)) return proxyLog(out, target, podName);
  return proxyUpgrade(req, out, head ?? Buffer.alloc(0), target);
}

function isServerResponse(out: ServerResponse | Duplex): out is ServerResponse {
  return typeof (out as ServerResponse).writeHead === 'function';
}

function proxyLog(res: ServerResponse, target: { socketPath: string; path: string }, podName: string): Promise<void> {
  return new Promise((resolve) => {
    const upstream = http.request({ socketPath: target.socketPath, path: target.path, method: 'GET', headers: { Accept: '*/*' } }, (nodeRes) => {
      const code = nodeRes.statusCode ?? 500;
      if (code < 200 || code > 206) {
        const chunks: Buffer[] = [];
        nodeRes.on('data', (c: Buffer) => chunks.push(c));
        nodeRes.on('end', () => {
          sendError(res, nodeError(code, Buffer.concat(chunks).toString(), podName));
          resolve();
        });
        nodeRes.on('error', () => resolve());
        return;
      }
      res.writeHead(code, { 'Content-Type': nodeRes.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      nodeRes.pipe(res);
      nodeRes.on('end', () => resolve());
      nodeRes.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    // kubectl logs -f ends with ^C: stop reading the node's stream.
    res.on('close', () => {
      upstream.destroy();
      resolve();
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) sendError(res, dialError(target, err));
      else res.destroy();
      resolve();
    });
    upstream.end();
  });
}

/** Headers not forwarded to the node agent: credentials and hop-by-hop framing. */
const dropHeaders = new Set(['authorization', 'host', 'content-length', 'transfer-encoding']);

function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: { socketPath: string; path: string }): Promise<void> {
  return new Promise((resolve) => {
    const node = net.connect(target.socketPath);
    let connected = false;
    node.on('connect', () => {
      connected = true;
      let request = `${req.method ?? 'GET'} ${target.path} HTTP/1.1\r\nHost: kubelet\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (!dropHeaders.has(req.rawHeaders[i].toLowerCase())) request += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      }
      node.write(request + '\r\n');
      if (head.length) node.write(head);
      node.pipe(socket);
      socket.pipe(node);
    });
    node.on('error', (err) => {
      if (!connected) writeRawError(socket, dialError(target, err));
      else socket.destroy();
    });
    socket.on('error', () => node.destroy());
    // The node ended the session (after the status and close frame): end the client's
    // connection at once too, not when the client gets round to closing (UpgradeAwareHandler
    // closes both connections when either copy ends). Late client bytes have nowhere to go.
    node.on('close', () => {
      socket.unpipe(node);
      socket.on('data', () => undefined);
      endConnection(socket);
      resolve();
    });
    socket.on('close', () => node.destroy());
  });
}

/** A Status answer written on a socket that will not be upgraded. */
export function writeRawError(socket: Duplex, err: unknown): void {
  const e = err instanceof ApiError ? err : ApiError.internal(err);
  const body = JSON.stringify(e.status);
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${e.code} ${http.STATUS_CODES[e.code] ?? ''}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

async function resolveTarget(deps: PodStreamingDeps, ri: RequestInfo, subresource: PodStreamSubresource, url: URL) {
  // The options are decoded before the pod is read (ConnectResource: getRequestOptions, then Connect).
  if (subresource === 'portforward') podPortForwardPorts(url.searchParams);
  const pod = await deps.getPod(ri.namespace ?? 'default', ri.name ?? '');
  const target = podStreamTarget(pod, subresource, url.searchParams);
  if (!target) return undefined;
  const socketPath = await deps.nodeAgentSocket(target.nodeName);
  if (!socketPath) throw ApiError.notFound({ group: '', resource: 'nodes' }, target.nodeName);
  return { socketPath, path: target.path, pod };
}

/**
 * The 'request' side: GET pods/log, and exec/attach sent without an upgrade (refused as
 * upstream does). For the server's subresource hook; ri is the parsed request.
 */
export async function servePodStreamRequest(deps: PodStreamingDeps, ri: RequestInfo, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const sub = ri.subresource;
  if (!isPodStreamSubresource(sub)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  // The options are decoded before the missing upgrade is noticed (ConnectResource).
  if (sub === 'portforward') podPortForwardPorts(new URL(req.url ?? '/', 'https://kanzen.local').searchParams);
  if (sub !== 'log') throw ApiError.badRequest('Upgrade request required');
  if (req.method !== 'GET') throw ApiError.methodNotSupported({ group: '', resource: 'pods/log' }, req.method?.toLowerCase() ?? '');
  const url = new URL(req.url ?? '/', 'https://kanzen.local');
  const t = await resolveTarget(deps, ri, 'log', url);
  if (!t) {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end();
    return;
  }
  await proxyPodStream(req, res, undefined, t, ri.name);
}

/** True when an 'upgrade' request addresses pods/exec, pods/attach or pods/portforward (the ones this module serves). */
export function isPodStreamUpgrade(req: IncomingMessage): boolean {
  const ri = parseRequestInfo(new URL(req.url ?? '/', 'https://kanzen.local').pathname);
  return ri.isResourceRequest && ri.group === '' && ri.resource === 'pods' && !!ri.name && (ri.subresource === 'exec' || ri.subresource === 'attach' || ri.subresource === 'portforward');
}

/**
 * The 'upgrade' side: authenticates (unless the listener is trusted), locates the pod's
 * node agent and proxies the upgrade. Errors are answered as Status on the raw socket.
 */
export async function handlePodStreamUpgrade(deps: PodStreamingDeps, req: IncomingMessage, socket: Duplex, head: Buffer, trusted: boolean): Promise<void> {
  socket.on('error', () => socket.destroy());
  try {
    if (!trusted && !(await deps.authenticate(req))) throw ApiError.unauthorized();
    const url = new URL(req.url ?? '/', 'https://kanzen.local');
    const ri = parseRequestInfo(url.pathname);
    if (!isPodStreamUpgrade(req)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    if (req.method !== 'GET' && req.method !== 'POST') {
      throw ApiError.methodNotSupported({ group: '', resource: `pods/${ri.subresource}` }, req.method?.toLowerCase() ?? '');
    }
    const t = await resolveTarget(deps, ri, ri.subresource as PodStreamSubresource, url);
    deps.logger?.debug('pod stream', { pod: `${ri.namespace}/${ri.name}`, subresource: ri.subresource, node: t!.socketPath });
    await proxyPodStream(req, socket, head, t!);
  } catch (err) {
    if (!(err instanceof ApiError)) deps.logger?.error('pod stream failed', { url: req.url, err: err instanceof Error ? err.message : String(err) });
    writeRawError(socket, err);
  }
}
