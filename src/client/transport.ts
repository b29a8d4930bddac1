// How a client reaches the API server: the unix socket (the cluster's own components) or
// HTTPS with the cluster CA and a bearer token (anything outside). One keep-alive agent per
// transport; requests and streaming watches go through the same code.
import http from 'node:http';
import https from 'node:https';
import { ApiError } from '../api/errors.js';
import type { Status } from '../api/types.js';

export interface TransportOptions {
  socketPath?: string;
  server?: string; // https://127.0.0.1:6443
  caCert?: string;
  token?: string;
  /** Per-request timeout for non-streaming requests. */
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class Transport {
  private readonly agent: http.Agent;

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

  /** A streaming GET (watch, logs): lines are passed to onLine until the server or the caller ends it. */
  stream(path: string, onLine: (line: string) => void, onEnd: (err?: Error) => void): { close(): void } {
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    const req = this.send(this.requestOptions('GET', path, {}), (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => end(toApiError(res.statusCode ?? 0, Buffer.concat(chunks))));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) onLine(line);
        }
      });
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

  close(): void {
    this.agent.destroy();
  }
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
