// One access log line per request, in the shape of ingress-nginx's default log format (nginx
// "combined" plus request length, time, the upstream and its status), so the lines read like
// what users know:
//   10.0.0.1 - - [08/Dec/2026:00:00:00 +0000] "GET /app HTTP/1.1" 200 12 "-" "curl/8.5.0" 78 0.002 [default/web:80] 10.244.1.5:8080 200
// A request that reached no upstream logs "-" for its upstream fields and backend.

export interface AccessLogEntry {
  readonly clientAddress: string;
  readonly time: Date;
  readonly method: string;
  readonly target: string;
  readonly httpVersion: string;
  readonly status: number;
  readonly bytesSent: number;
  readonly referer?: string;
  readonly userAgent?: string;
  /** The request body's declared length (nginx's $request_length also counts the request line and headers). */
  readonly requestLength: number;
  readonly durationMs: number;
  /** "ns/service:port" of the backend, when a rule matched. */
  readonly backend?: string;
  /** "ip:port" of the endpoint tried. */
  readonly upstream?: string;
  readonly upstreamStatus?: number;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** nginx's $time_local, in UTC. */
export function timeLocal(t: Date): string {
  return `${pad(t.getUTCDate())}/${months[t.getUTCMonth()]}/${t.getUTCFullYear()}:${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} +0000`;
}

/** A header value inside double quotes, as nginx escapes it ("-" when absent). */
function quoted(v: string | undefined): string {
  return `"${v ? v.replace(/["\\]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).toUpperCase()) : '-'}"`;
}

export function accessLogLine(e: AccessLogEntry): string {
  const client = e.clientAddress.startsWith('::ffff:') ? e.clientAddress.slice(7) : e.clientAddress;
  return [
    `${client} - - [${timeLocal(e.time)}]`,
    quoted(`${e.method} ${e.target} HTTP/${e.httpVersion}`),
    e.status,
    e.bytesSent,
    quoted(e.referer),
    quoted(e.userAgent),
    e.requestLength,
    (e.durationMs / 1000).toFixed(3),
    `[${e.backend ?? '-'}]`,
    e.upstream ?? '-',
    e.upstreamStatus ?? '-',
  ].join(' ');
}
