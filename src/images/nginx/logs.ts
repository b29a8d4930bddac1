// nginx's access and error log lines as the docker image writes them: the access log is
// the image's `main` format (combined plus "$http_x_forwarded_for") on stdout, the error
// log goes to stderr. Container clocks run in UTC (the image sets no TZ).

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** $time_local: `26/Nov/2026:02:16:28 +0000`. */
export function timeLocal(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`
  );
}

/** The error log's timestamp: `2026/11/26 02:16:28`. */
export function errorLogTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

// ngx_http_log_escape: `"`, `\` and bytes outside 0x20..0x7e become \xHH.
const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\uffff]/;

export function escapeLogValue(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x7f) {
      // Node decodes header bytes as latin1, so every code unit here is one byte.
      out += '\\x' + (c & 0xff).toString(16).toUpperCase().padStart(2, '0');
    } else {
      out += s[i];
    }
  }
  return out;
}

const orDash = (s: string | undefined): string => (s ? escapeLogValue(s) : '-');

export interface AccessLogEntry {
  remoteAddr: string;
  timeMs: number;
  request: string;
  status: number;
  bodyBytesSent: number;
  referer?: string;
  userAgent?: string;
  forwardedFor?: string;
}

/** One line of the docker image's `main` log_format (without the newline). */
export function accessLogLine(e: AccessLogEntry): string {
  return (
    `${e.remoteAddr} - - [${timeLocal(e.timeMs)}] "${escapeLogValue(e.request)}" ${e.status} ${e.bodyBytesSent} ` +
    `"${orDash(e.referer)}" "${orDash(e.userAgent)}" "${orDash(e.forwardedFor)}"`
  );
}

/**
 * Collects log lines and writes them once per event-loop turn: stdout to a pipe is a
 * synchronous write in Node, and one write per request would cost more than serving it.
 */
export class LineBuffer {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly write: (chunk: string) => void) {}

  push(line: string): void {
    this.pending.push(line);
    if (this.pending.length >= 512) {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('\n') + '\n';
    this.pending = [];
    this.write(chunk);
  }
}
