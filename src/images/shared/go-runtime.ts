// What the Go-built images (agnhost, http-echo) look like from outside: the standard
// `log` package's line prefix, time.Duration strings, encoding/json's escaping and
// net/http's default response headers.
import http from 'node:http';
import { goJSON } from '../../util/go-json.js';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** log.Printf's default prefix: `2006/01/02 15:04:05 ` in the container's UTC clock. */
export function goLogPrefix(ms: number = Date.now()): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} `
  );
}

/** log.Printf to stderr (a trailing newline is added only when missing, as Go does). */
export function goLog(msg: string, write: (s: string) => void = (s) => process.stderr.write(s)): void {
  write(goLogPrefix() + (msg.endsWith('\n') ? msg : msg + '\n'));
}

const UNITS: ReadonlyArray<[string, number]> = [
  ['h', 3600e9],
  ['m', 60e9],
  ['s', 1e9],
  ['ms', 1e6],
  ['us', 1e3],
  ['µs', 1e3],
  ['μs', 1e3],
  ['ns', 1],
];

/** time.ParseDuration, in nanoseconds; null when the text is not a Go duration. */
export function parseGoDuration(s: string): number | null {
  if (s === '0') return 0;
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '') return null;
  let total = 0;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d*)?|\.\d+)(h|ms|us|µs|μs|ns|m|s)/.exec(rest);
    if (!m) return null;
    const unit = UNITS.find(([u]) => u === m[2]);
    if (!unit) return null;
    total += Number(m[1]) * unit[1];
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/** time.Duration.String for a duration in nanoseconds (`1h2m3.5s`, `41.3µs`, `0s`). */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(Math.round(ns));
  let out: string;
  if (n < 1e9) {
    const [div, unit] = n < 1e3 ? [1, 'ns'] : n < 1e6 ? [1e3, 'µs'] : [1e6, 'ms'];
    out = trimFraction(n / div, div) + unit;
  } else {
    const h = Math.floor(n / 3600e9);
    n -= h * 3600e9;
    const m = Math.floor(n / 60e9);
    n -= m * 60e9;
    out = (h ? `${h}h` : '') + (h || m ? `${m}m` : '') + trimFraction(n / 1e9, 1e9) + 's';
  }
  return (neg ? '-' : '') + out;
}

function trimFraction(v: number, div: number): string {
  const digits = Math.round(Math.log10(div));
  return v.toFixed(digits).replace(/\.?0+$/, '') || '0';
}


/** json.Marshal of a map: keys in sorted order. */
export function goJSONMap(m: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(m).sort()) sorted[k] = m[k];
  return goJSON(sorted);
}

/** net/http's Content-Type sniffing, reduced to what these servers send. */
export function sniffContentType(body: string): string {
  const t = body.trimStart().slice(0, 14).toLowerCase();
  if (/^<(!doctype html|html|head|body|a[ >]|p[ >]|br|div|h1|table|title|script|iframe|font|b[ >]|style)/.test(t)) {
    return 'text/html; charset=utf-8';
  }
  return 'text/plain; charset=utf-8';
}

/**
 * Writes a response the way net/http does for a handler that set `headers`, called
 * WriteHeader(status) and wrote `body`: the handler's headers (sorted, as Header.Write
 * orders them), then Date, Content-Length and a sniffed Content-Type when a body exists.
 */
export function goRespond(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const list: string[] = [];
  for (const k of Object.keys(headers).sort()) list.push(k, headers[k]);
  list.push('Date', new Date().toUTCString(), 'Content-Length', String(Buffer.byteLength(body)));
  if (body.length > 0 && headers['Content-Type'] === undefined) list.push('Content-Type', sniffContentType(body));
  // Set explicitly so Node adds no `Keep-Alive: timeout=` header, which Go never sends.
  if (headers.Connection === undefined) list.push('Connection', res.shouldKeepAlive ? 'keep-alive' : 'close');
  res.writeHead(status, list);
  res.end(body);
}

/**
 * An HTTP server with net/http's connection behaviour: keep-alive connections never time
 * out when idle (http.Server without IdleTimeout/ReadTimeout).
 */
export function createGoHttpServer(handler: http.RequestListener): http.Server {
  return http.createServer({ keepAliveTimeout: 0 }, handler);
}

/**
 * http.Server.Shutdown: stop listening, then keep closing connections as they go idle
 * until none is left (true) or the deadline passes (false: "context deadline exceeded").
 */
export function shutdownGoServer(server: http.Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      clearInterval(sweep);
      resolve(false);
    }, timeoutMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve(true);
    });
    server.closeIdleConnections();
  });
}

/** The client address as Go prints r.RemoteAddr: `ip:port`, `[v6]:port`. */
export function goRemoteAddr(req: http.IncomingMessage): string {
  return joinHostPort(req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0);
}

export function joinHostPort(host: string, port: number): string {
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}
