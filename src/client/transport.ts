// How a client reaches the API server: the unix socket (the cluster's own components), HTTPS
// with the cluster CA and a bearer token (anything outside), or — for the components in the
// daemon's own process — the API server's handler directly (src/apiserver/in-process.ts),
// with no socket or HTTP in between. One keep-alive agent per transport; requests and
// streaming watches go through the same code.
import http from 'node:http';
import https from 'node:https';
import { ApiError } from '../api/errors.js';
import type { Status } from '../api/types.js';
import { jsonCopy } from '../util/json-copy.js';

export interface TransportOptions {
  socketPath?: string;
  server?: string; // https://127.0.0.1:6443
  caCert?: string;
  token?: string;
  /** Per-request timeout for non-streaming requests. */
  timeoutMs?: number;
  /** The API server in this process: requests go to its handler, not through socketPath. */
  inProcess?: InProcessServer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The decoded body, when the API server in this process handed it over (the client's own). */
  object?: unknown;
}

/** Where a streaming response goes: its status once, then its body as it comes, then its end. */
export interface StreamSink {
  head(status: number): void;
  data(chunk: string): void;
  end(err?: Error): void;
}

/** The API server as a client in its own process reaches it (ApiServer.inProcess()). */
export interface InProcessServer {
  /** One request; a body that is not a string is the server's to keep (a copy of the caller's). */
  request(method: string, path: string, headers: Record<string, string>, body: unknown): Promise<RawResponse>;
  /** A streaming GET (watch). */
  stream(path: string, headers: Record<string, string>, sink: StreamSink): { close(): void };
}

export class Transport {
  private readonly agent: http.Agent;
  /** Streams to the API server in this process, ended by close() as the agent's sockets are. */
  private readonly localStreams = new Set<{ close(): void }>();

  constructor(private readonly opts: TransportOptions) {
    this.agent = opts.socketPath
      ? new http.Agent({ keepAlive: true, maxSockets: 64 })
      : new https.Agent({ keepAlive: true, maxSockets: 64, ca: opts.caCert });
  }

  private requestOptions(method: string, path: string, headers: Record<string, string>): http.RequestOptions {
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (this.opts.token) h.Authorization = `Bearer ${this.opts.token}`;
    if (this.opts.socketPath) return { socketPath: this.opts.socketPath, path, method, headers: h, agent: this.agent };
    const u = new URL(this.opts.server ?? 'https://127.0.0.1:6443');
    return { hostname: u.hostname, port: u.port, path, method, headers: h, agent: this.agent };
  }

  private send(o: http.RequestOptions, cb: (res: http.IncomingMessage) => void): http.ClientRequest {
    return this.opts.socketPath ? http.request(o, cb) : https.request(o as https.RequestOptions, cb);
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
    if (this.opts.inProcess) return this.requestInProcess(this.opts.inProcess, method, path, body, headers);
    return new Promise((resolve, reject) => {
      let data: string | undefined;
      const h = { ...headers };
      if (body !== undefined) {
        data = typeof body === 'string' ? body : JSON.stringify(body);
        h['Content-Type'] ??= 'application/json';
        h['Content-Length'] = String(Buffer.byteLength(data));
      }
      const req = this.send(this.requestOptions(method, path, h), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(this.opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`request timed out: ${method} ${path}`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  /**
   * The same request to the API server in this process: the body as a JSON copy (what the
   * server would decode from the wire; the caller may go on changing its own), the same
   * headers and timeout.
   */
  private requestInProcess(server: InProcessServer, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<RawResponse> {
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (body !== undefined) h['Content-Type'] ??= 'application/json';
    const copy = body === undefined || typeof body === 'string' ? body : jsonCopy(body);
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`request timed out: ${method} ${path}`)), timeoutMs);
      server.request(method, path, h, copy).then(
        (r) => (clearTimeout(timer), resolve(r)),
        (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
      );
    });
  }

  /** A streaming GET (watch, logs): lines are passed to onLine until the server or the caller ends it. */
  stream(path: string, onLine: (line: string) => void, onEnd: (err?: Error) => void): { close(): void } {
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    if (this.opts.inProcess) {
      let s: { close(): void } | undefined = undefined;
      const local = {
        close: () => {
          ended = true;
          this.localStreams.delete(local);
          s?.close();
        },
      };
      const finished = (err?: Error) => {
        this.localStreams.delete(local);
        end(err);
      };
      this.localStreams.add(local);
      s = this.streamInProcess(this.opts.inProcess, path, onLine, finished);
      return local;
    }
    const req = this.send(this.requestOptions('GET', path, {}), (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => end(toApiError(res.statusCode ?? 0, Buffer.concat(chunks))));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', lineSplitter(onLine));
      res.on('end', () => end());
      res.on('error', (e) => end(e));
      res.on('close', () => end());
    });
    req.on('error', (e) => end(e));
    req.end();
    return {
      close: () => {
        ended = true;
        req.destroy();
      },
    };
  }

  private streamInProcess(server: InProcessServer, path: string, onLine: (line: string) => void, end: (err?: Error) => void): { close(): void } {
    let status = 0;
    const failure: string[] = [];
    const lines = lineSplitter(onLine);
    const h: Record<string, string> = { Accept: 'application/json' };
    return server.stream(path, h, {
      head: (code) => (status = code),
      data: (chunk) => (status >= 300 ? failure.push(chunk) : lines(chunk)),
      end: (err) => end(err ?? (status >= 300 ? toApiError(status, Buffer.from(failure.join(''))) : undefined)),
    });
  }

  close(): void {
    this.agent.destroy();
    for (const s of [...this.localStreams]) s.close();
  }
}

/** Splits a streamed body into its non-empty lines (watch events are one JSON object a line). */
function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let buf = '';
  return (chunk) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
  };
}

export function toApiError(status: number, body: Buffer): ApiError {
  try {
    const s = JSON.parse(body.toString('utf8')) as Status;
    if (s.kind === 'Status') return new ApiError(s.code ?? status, s.reason ?? 'Unknown', s.message ?? '', s.details);
  } catch {
    // not a Status
  }
  return new ApiError(status, 'Unknown', body.toString('utf8').slice(0, 500) || `HTTP ${status}`);
}
