// The CRI container log format (kubernetes/cri-api: "Container Log Format"): one line per
// write, `<RFC3339Nano> <stdout|stderr> <F|P> <text>`, P marking a partial line whose text
// continues on the next entry. The kubelet writes it; `kubectl logs` reads it back.

export type LogStream = 'stdout' | 'stderr';

export interface CriLogEntry {
  /** The timestamp as written (RFC3339Nano). */
  time: string;
  stream: LogStream;
  partial: boolean;
  /** The text, without the line's trailing newline. */
  text: string;
}

/** Maximum bytes of text per entry before it is split into partial entries (containerd's 16 KiB). */
export const maxLogLineBytes = 16 * 1024;

/** An RFC3339 timestamp with nanoseconds for `date` (JS clocks have milliseconds). */
export function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function formatCriLogLine(stream: LogStream, text: string, partial: boolean, now: Date = new Date()): string {
  return `${rfc3339Nano(now)} ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
}

/**
 * Turns a process's output chunks into CRI log lines: complete lines become F entries,
 * a line longer than maxLogLineBytes is cut into P entries, and flush() writes any
 * unterminated rest as a P entry (the process ended mid-line).
 */
export class CriLogWriter {
  private pending = '';

  constructor(
    private readonly stream: LogStream,
    private readonly write: (line: string) => void,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  push(chunk: Buffer | string): void {
    this.pending += chunk.toString();
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.emit(this.pending.slice(0, nl), false);
      this.pending = this.pending.slice(nl + 1);
    }
    while (Buffer.byteLength(this.pending) > maxLogLineBytes) {
      const cut = this.pending.slice(0, maxLogLineBytes);
      this.emit(cut, true);
      this.pending = this.pending.slice(cut.length);
    }
  }

  flush(): void {
    if (this.pending) this.emit(this.pending, true);
    this.pending = '';
  }

  private emit(text: string, partial: boolean): void {
    this.write(formatCriLogLine(this.stream, text, partial, this.clock()));
  }
}

/** Parses one line (without its newline); undefined when it is not a CRI log line. */
export function parseCriLogLine(line: string): CriLogEntry | undefined {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  if (b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line.slice(b + 1, b + 2);
  if (tag !== 'F' && tag !== 'P') return undefined;
  // "<tag> <text>"; an empty F line may have no space after the tag.
  return { time: line.slice(0, a), stream, partial: tag === 'P', text: line.slice(b + 3) };
}

/**
 * The timestamp as the kubelet prints it with `timestamps=true`: RFC3339 with exactly
 * nine fractional digits (kubelet's timeFormatOut), UTC.
 */
export function outputTimestamp(time: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return time;
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  if (m[3] === 'Z') return `${m[1]}.${frac}Z`;
  const d = new Date(`${m[1]}${m[3]}`);
  return `${d.toISOString().slice(0, 19)}.${frac}Z`;
}

/** Milliseconds since the epoch of an entry's timestamp (for sinceSeconds/sinceTime). */
export function entryTimeMs(time: string): number {
  return Date.parse(time.replace(/(\.\d{3})\d+/, '$1'));
}
