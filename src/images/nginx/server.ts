import fs from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { accessLogLine, errorLogTime } from './logs.js';
import { DEFAULT_TYPE, MIME_TYPES } from './mime-types.js';
import { OpenFileCache, type FileInfo, type LookupError } from './open-file-cache.js';
import { parseRequestTarget } from './request-uri.js';
import { REASON_PHRASES, specialResponseBody } from './special-response.js';

// The docker image's server: nginx.conf (keepalive_timeout 65, default_type
// application/octet-stream, sendfile) plus conf.d/default.conf (listen 80, server_name
// localhost, root /usr/share/nginx/html, index index.html index.htm).

export interface NginxServerOptions {
  root: string;
  version: string;
  serverName?: string;
  indexFiles?: string[];
  /** nginx.conf's keepalive_timeout in the docker image is 65s (nginx's own default is 75s). */
  keepAliveTimeoutMs?: number;
  /** keepalive_requests: the connection is closed after this many requests (nginx default 1000). */
  keepaliveRequests?: number;
  accessLog?: (line: string) => void;
  errorLog?: (line: string) => void;
  now?: () => number;
  fileCache?: OpenFileCache;
}

export interface NginxServer {
  readonly server: http.Server;
  readonly fileCache: OpenFileCache;
  /** Graceful shutdown: stop accepting, close idle keep-alive connections, finish in-flight requests. */
  shutdown(): Promise<void>;
}

interface ConnState {
  id: number;
  requests: number;
}

const connState = new WeakMap<Socket, ConnState>();

export function createNginxServer(opts: NginxServerOptions): NginxServer {
  const root = opts.root.replace(/\/+$/, '');
  const serverHeader = `nginx/${opts.version}`;
  const serverName = opts.serverName ?? 'localhost';
  const indexFiles = opts.indexFiles ?? ['index.html', 'index.htm'];
  const keepaliveRequests = opts.keepaliveRequests ?? 1000;
  const now = opts.now ?? Date.now;
  const accessLog = opts.accessLog ?? (() => undefined);
  const errorLog = opts.errorLog ?? (() => undefined);
  const cache = opts.fileCache ?? new OpenFileCache({ now });
  const pid = process.pid;
  let connections = 0;
  let exiting = false;

  // Date strings change once a second; build them once a second.
  let dateSecond = -1;
  let dateString = '';
  const httpDate = (): string => {
    const t = now();
    const s = Math.floor(t / 1000);
    if (s !== dateSecond) {
      dateSecond = s;
      dateString = new Date(s * 1000).toUTCString();
    }
    return dateString;
  };

  const server = http.createServer({ keepAliveTimeout: opts.keepAliveTimeoutMs ?? 65_000 });
  server.headersTimeout = 60_000; // client_header_timeout
  server.on('connection', (socket: Socket) => {
    connState.set(socket, { id: ++connections, requests: 0 });
  });

  server.on('request', (req, res) => {
    const state = connState.get(req.socket) ?? { id: 0, requests: 0 };
    state.requests++;
    void handle(req, res, state).catch((err: unknown) => {
      logError(req, state, `${(err as Error).message}`);
      if (!res.headersSent) sendSpecial(req, res, state, 500);
      else res.destroy();
    });
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 400 : err.code === 'HPE_URI_TOO_LONG' ? 414 : 400;
    const body = specialResponseBody(status, opts.version);
    socket.end(
      `HTTP/1.1 ${status} ${REASON_PHRASES[status]}\r\nServer: ${serverHeader}\r\nDate: ${httpDate()}\r\n` +
        `Content-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, state: ConnState): Promise<void> {
    const method = req.method ?? 'GET';
    const target = parseRequestTarget(req.url ?? '/');
    if (!target) return sendSpecial(req, res, state, 400);
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return sendSpecial(req, res, state, 405);

    let uri = target.uri;
    let info;
    if (uri.endsWith('/')) {
      // ngx_http_index_module: the first index file that exists is an internal redirect.
      let found: FileInfo | undefined;
      let firstMissing: LookupError | undefined;
      for (const name of indexFiles) {
        const candidate = await cache.lookup(root + uri + name);
        if (candidate.kind === 'file') {
          found = candidate;
          uri += name;
          break;
        }
        if (candidate.kind === 'error' && !firstMissing) firstMissing = candidate;
      }
      if (!found) {
        const dir = await cache.lookup(root + uri);
        if (dir.kind === 'dir') {
          logError(req, state, `directory index of "${root + uri}" is forbidden`);
          return sendSpecial(req, res, state, 403);
        }
        const missing = firstMissing ?? { path: root + uri + indexFiles[0], errno: 2, message: 'No such file or directory', code: 'ENOENT' };
        logError(req, state, `"${missing.path}" is not found (${missing.errno}: ${missing.message})`);
        return sendSpecial(req, res, state, missing.code === 'EACCES' ? 403 : 404);
      }
      info = found;
    } else {
      const found = await cache.lookup(root + uri);
      if (found.kind === 'error') {
        logError(req, state, `open() "${found.path}" failed (${found.errno}: ${found.message})`);
        return sendSpecial(req, res, state, found.code === 'EACCES' ? 403 : 404);
      }
      if (found.kind === 'dir') {
        const location = encodeURI(uri + '/') + (target.args ? '?' + target.args : '');
        return sendSpecial(req, res, state, 301, absoluteLocation(req, location));
      }
      info = found;
    }
    if (method === 'POST') return sendSpecial(req, res, state, 405);
    sendFile(req, res, state, uri, info);
  }

  function sendFile(req: http.IncomingMessage, res: http.ServerResponse, state: ConnState, uri: string, file: FileInfo): void {
    const mtimeSec = Math.floor(file.mtimeMs / 1000);
    const lastModified = new Date(mtimeSec * 1000).toUTCString();
    // ngx_http_set_etag: "<hex mtime>-<hex length>".
    const etag = `"${mtimeSec.toString(16)}-${file.size.toString(16)}"`;
    const h = req.headers;

    // ngx_http_not_modified_filter
    if (h['if-unmodified-since'] !== undefined) {
      const t = Date.parse(h['if-unmodified-since']);
      if (Number.isNaN(t) || Math.floor(t / 1000) < mtimeSec) return sendSpecial(req, res, state, 412);
    }
    if (h['if-match'] !== undefined && !etagMatches(h['if-match'], etag, false)) return sendSpecial(req, res, state, 412);
    const ims = h['if-modified-since'];
    const inm = h['if-none-match'];
    if (ims !== undefined || inm !== undefined) {
      // if_modified_since exact: only an identical time counts as unmodified.
      const modified = ims !== undefined && Date.parse(ims) / 1000 !== mtimeSec;
      const noneMatch = inm !== undefined && !etagMatches(inm, etag, true);
      if (!modified && !noneMatch) {
        res.writeHead(304, REASON_PHRASES[304], [
          'Server', serverHeader, 'Date', httpDate(), 'Last-Modified', lastModified,
          'Connection', connectionValue(res, state), 'ETag', etag,
        ]);
        res.end();
        logAccess(req, 304, 0);
        return;
      }
    }

    const contentType = contentTypeFor(uri);
    const range = rangeFor(h.range, headerValue(h['if-range']), etag, lastModified, file.size);
    if (range === 'unsatisfiable') {
      return sendSpecial(req, res, state, 416, undefined, `bytes */${file.size}`);
    }
    const [start, end] = range ?? [0, file.size - 1];
    const length = Math.max(0, end - start + 1);
    const headers = [
      'Server', serverHeader, 'Date', httpDate(), 'Content-Type', contentType,
      'Content-Length', String(length), 'Last-Modified', lastModified,
      'Connection', connectionValue(res, state), 'ETag', etag,
    ];
    if (range) headers.push('Content-Range', `bytes ${start}-${end}/${file.size}`);
    else headers.push('Accept-Ranges', 'bytes');
    const status = range ? 206 : 200;
    res.writeHead(status, REASON_PHRASES[status], headers);

    const isHead = req.method === 'HEAD';
    if (isHead || length === 0) {
      res.end();
      logAccess(req, status, 0);
      return;
    }
    if (file.body) {
      res.end(range ? file.body.subarray(start, end + 1) : file.body);
      logAccess(req, status, length);
      return;
    }
    const stream = fs.createReadStream(file.path, { start, end });
    stream.on('error', (err) => {
      logError(req, state, `read() "${file.path}" failed (${err.message})`);
      res.destroy();
    });
    stream.pipe(res);
    res.on('close', () => {
      stream.destroy();
      logAccess(req, status, res.writableFinished ? length : 0);
    });
  }

  function sendSpecial(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    state: ConnState,
    status: number,
    location?: string,
    contentRange?: string,
  ): void {
    const body = specialResponseBody(status, opts.version);
    const headers = [
      'Server', serverHeader, 'Date', httpDate(), 'Content-Type', 'text/html',
      'Content-Length', String(Buffer.byteLength(body)),
    ];
    if (location) headers.push('Location', location);
    // nginx closes the connection after answering a request it could not parse.
    headers.push('Connection', status === 400 ? 'close' : connectionValue(res, state));
    if (contentRange) headers.push('Content-Range', contentRange);
    res.writeHead(status, REASON_PHRASES[status] ?? '', headers);
    const isHead = req.method === 'HEAD';
    res.end(isHead ? undefined : body);
    logAccess(req, status, isHead ? 0 : Buffer.byteLength(body));
  }

  function connectionValue(res: http.ServerResponse, state: ConnState): string {
    return exiting || !res.shouldKeepAlive || state.requests >= keepaliveRequests ? 'close' : 'keep-alive';
  }

  function absoluteLocation(req: http.IncomingMessage, location: string): string {
    // absolute_redirect on, server_name_in_redirect off, port_in_redirect on.
    const hostHeader = req.headers.host;
    let host = hostHeader ? hostHeader.replace(/:\d*$/, '').toLowerCase() : req.socket.localAddress ?? serverName;
    if (host.startsWith('::ffff:')) host = host.slice(7);
    const port = req.socket.localPort;
    return `http://${host}${port && port !== 80 ? ':' + port : ''}${location}`;
  }

  function logAccess(req: http.IncomingMessage, status: number, bytes: number): void {
    const h = req.headers;
    accessLog(
      accessLogLine({
        remoteAddr: remoteAddr(req),
        timeMs: now(),
        request: `${req.method} ${req.url} HTTP/${req.httpVersion}`,
        status,
        bodyBytesSent: bytes,
        referer: h.referer,
        userAgent: h['user-agent'],
        forwardedFor: headerValue(h['x-forwarded-for']),
      }),
    );
  }

  function logError(req: http.IncomingMessage, state: ConnState, msg: string): void {
    const host = req.headers.host;
    errorLog(
      `${errorLogTime(now())} [error] ${pid}#${pid}: *${state.id} ${msg}, client: ${remoteAddr(req)}, ` +
        `server: ${serverName}, request: "${req.method} ${req.url} HTTP/${req.httpVersion}"` +
        (host !== undefined ? `, host: "${host}"` : ''),
    );
  }

  function shutdown(): Promise<void> {
    exiting = true;
    return new Promise((resolve) => {
      // Like a worker in its exiting state, close each keep-alive connection as soon as
      // its current request is done (nginx's ngx_http_finalize_connection).
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.close(() => {
        clearInterval(sweep);
        cache.close();
        resolve();
      });
      server.closeIdleConnections();
    });
  }

  return { server, fileCache: cache, shutdown };
}

function remoteAddr(req: http.IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '-';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Content-Type from the URI's extension (ngx_http_set_content_type, case-insensitive). */
export function contentTypeFor(uri: string): string {
  const base = path.posix.basename(uri);
  const dot = base.lastIndexOf('.');
  if (dot < 0) return DEFAULT_TYPE;
  return MIME_TYPES[base.slice(dot + 1).toLowerCase()] ?? DEFAULT_TYPE;
}

// ngx_http_test_if_match: a list of entity tags or "*"; If-None-Match compares weakly.
function etagMatches(header: string, etag: string, weak: boolean): boolean {
  if (header.trim() === '*') return true;
  for (let tag of header.split(',')) {
    tag = tag.trim();
    if (weak && tag.startsWith('W/')) tag = tag.slice(2);
    if (tag === etag) return true;
  }
  return false;
}

type Range = [number, number] | null | 'unsatisfiable';

// ngx_http_range_filter for a single range. A Range header that does not parse is
// ignored; several ranges are answered with the whole entity (approximation: nginx
// would send multipart/byteranges).
function rangeFor(header: string | undefined, ifRange: string | undefined, etag: string, lastModified: string, size: number): Range {
  if (!header || !header.startsWith('bytes=')) return null;
  if (ifRange !== undefined) {
    const v = ifRange.trim();
    if (v.startsWith('"') || v.startsWith('W/')) {
      if (v !== etag) return null;
    } else if (Date.parse(v) !== Date.parse(lastModified)) {
      return null;
    }
  }
  const spec = header.slice(6).trim();
  if (spec.includes(',')) return null;
  const m = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
    if (start >= size) return 'unsatisfiable';
  }
  return [start, end];
}
