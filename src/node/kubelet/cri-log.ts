// Container logs in the CRI format (what containerd writes and the kubelet reads back for
// `kubectl logs`): one record per line, `<RFC3339 with 9 fractional digits> <stream> <tag>
// <content>`, tag F for a full line and P for a part of a longer one (containerd splits at
// 16 KiB). A pod's logs live under `<podDir>/logs/<container>/<restartCount>.log`, one file
// per container instance, so `--previous` is the file of restartCount-1.
//
// The container process itself writes to plain files (its stdout and stderr are file
// descriptors, never pipes to the kubelet), and a LogPump turns what they gain into CRI
// records. That way a container survives a kubelet restart without a broken pipe, and the
// restarted kubelet continues pumping where the old one stopped (the offsets are kept beside
// the raw files).
//
// The kubelet server reads the same format back for `GET /containerLogs` (kubelet-server/
// container-logs.ts): parseCriLogLine, entryTimeMs and outputTimestamp are its part.
import fs from 'node:fs';
import path from 'node:path';
import { readFrom } from './file-read.js';

export type LogStream = 'stdout' | 'stderr';

/** containerd's maximum record size: longer lines become P records. */
export const maxLogLineBytes = 16 * 1024;

/** The log of one container instance. */
export function containerLogPath(podDir: string, container: string, restartCount: number): string {
  return path.join(podDir, 'logs', container, `${restartCount}.log`);
}

/** Where an instance's raw stdout/stderr go (the files given to the process as fd 1 and 2). */
export function rawOutputPath(podDir: string, container: string, restartCount: number, stream: LogStream): string {
  // Beside the log, not under containers/<name> (the sandbox's writable layer, replaced on restart).
  return path.join(podDir, 'logs', container, `${restartCount}.${stream}`);
}

let lastNanos = 0n;

/** Now as RFC3339 with nine fractional digits (time.RFC3339Nano with fixed width, as containerd and the kubelet print it). */
export function criTimestamp(d: Date = new Date()): string {
  // Date has milliseconds; the high-resolution clock fills the rest, strictly increasing so records keep their order.
  let nanos = BigInt(d.getTime()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return formatNanos(nanos);
}

function formatNanos(nanos: bigint): string {
  const ms = Number(nanos / 1_000_000n);
  const frac = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/** An RFC3339 timestamp with nanoseconds for `date` (JS clocks have milliseconds: the rest is zeros). */
export function rfc3339Nano(date: Date): string {
  return formatNanos(BigInt(date.getTime()) * 1_000_000n);
}

export function formatCRILine(ts: string, stream: LogStream, partial: boolean, content: string): string {
  return `${ts} ${stream} ${partial ? 'P' : 'F'} ${content}\n`;
}

/** One record stamped with `now` (millisecond precision), for writers that have no raw files behind them. */
export function formatCriLogLine(stream: LogStream, text: string, partial: boolean, now: Date = new Date()): string {
  return formatCRILine(rfc3339Nano(now), stream, partial, text);
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

/** One CRI log line as written, its timestamp unparsed. */
export interface CriLogEntry {
  /** The timestamp as written (RFC3339Nano). */
  time: string;
  stream: LogStream;
  partial: boolean;
  /** The text, without the line's trailing newline. */
  text: string;
}

export interface CRIRecord {
  timestamp: string;
  /** Milliseconds since the epoch (for sinceSeconds). */
  timeMs: number;
  stream: LogStream;
  partial: boolean;
  content: string;
}

/** Splits one line (without its newline) into its fields; undefined when it is not a CRI log line. */
export function parseCriLogLine(line: string): CriLogEntry | undefined {
  // "<tag> <text>"; an empty F line may have no space after the tag.
  const m = /^(\S+) (stdout|stderr) (P|F) ?(.*)$/s.exec(line);
  if (!m) return undefined;
  return { time: m[1], stream: m[2] as LogStream, partial: m[3] === 'P', text: m[4] };
}

/** Milliseconds since the epoch of an entry's timestamp (for sinceSeconds/sinceTime). */
export function entryTimeMs(time: string): number {
  return Date.parse(time.replace(/(\.\d{3})\d+/, '$1'));
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

/** Parses one record (without its newline) with its time; undefined for a malformed line or timestamp. */
export function parseCRILine(line: string): CRIRecord | undefined {
  const e = parseCriLogLine(line);
  if (!e) return undefined;
  const timeMs = entryTimeMs(e.time);
  if (Number.isNaN(timeMs)) return undefined;
  return { timestamp: e.time, timeMs, stream: e.stream, partial: e.partial, content: e.text };
}

/** What kubectl logs gets for a record: its content, a newline for a full line, the timestamp first when asked. */
export function renderRecord(r: CRIRecord, timestamps: boolean): string {
  return `${timestamps ? r.timestamp + ' ' : ''}${r.content}${r.partial ? '' : '\n'}`;
}

export interface ReadLogsOptions {
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
  sinceTime?: Date;
  limitBytes?: number;
  follow?: boolean;
  /** For follow: when it returns true (the container exited and the file is complete), reading stops at EOF. */
  done?: () => boolean;
  signal?: AbortSignal;
  now?: () => Date;
  /** For follow: how often to look for more (default 200 ms). */
  pollMs?: number;
}

function selectRecords(text: string, opts: ReadLogsOptions): CRIRecord[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let records = lines.map(parseCRILine).filter((r): r is CRIRecord => r !== undefined);
  const now = (opts.now ?? (() => new Date()))().getTime();
  const sinceMs = opts.sinceTime ? opts.sinceTime.getTime() : opts.sinceSeconds !== undefined ? now - opts.sinceSeconds * 1000 : undefined;
  if (sinceMs !== undefined) records = records.filter((r) => r.timeMs >= sinceMs);
  if (opts.tailLines !== undefined && opts.tailLines >= 0) records = opts.tailLines === 0 ? [] : records.slice(-opts.tailLines);
  return records;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/**
 * The plain text of a container log (upstream kuberuntime/logs ReadLogs), in chunks:
 * tailLines, sinceSeconds/sinceTime, timestamps and limitBytes as `kubectl logs` passes them;
 * with follow, keeps yielding what is appended until done() or the signal.
 */
export async function* readLogs(file: string, opts: ReadLogsOptions = {}): AsyncGenerator<string> {
  let budget = opts.limitBytes ?? Infinity;
  const emit = (s: string): string => {
    if (budget === Infinity) return s;
    const b = Buffer.from(s);
    const out = b.length <= budget ? s : b.subarray(0, budget).toString('utf8');
    budget -= Math.min(b.length, budget);
    return out;
  };
  let offset = 0;
  let carry = '';
  let first = true;
  for (;;) {
    if (opts.signal?.aborted) return;
    let chunk = '';
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          fs.readSync(fd, buf, 0, buf.length, offset);
          offset = size;
          chunk = buf.toString('utf8');
        }
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const text = carry + chunk;
    const cut = text.lastIndexOf('\n') + 1;
    carry = text.slice(cut);
    // tailLines applies to what exists when reading starts; records appended later all follow.
    const records = selectRecords(text.slice(0, cut), first ? opts : { ...opts, tailLines: undefined });
    first = false;
    let out = '';
    for (const r of records) out += renderRecord(r, opts.timestamps ?? false);
    if (out) {
      const limited = emit(out);
      if (limited) yield limited;
    }
    if (budget <= 0 || !opts.follow) return;
    if (chunk === '' && opts.done?.()) return;
    await sleep(opts.pollMs ?? 200, opts.signal);
  }
}

/** Reads the whole log (no follow) into one string. */
export async function readLogsText(file: string, opts: Omit<ReadLogsOptions, 'follow'> = {}): Promise<string> {
  let out = '';
  for await (const s of readLogs(file, { ...opts, follow: false })) out += s;
  return out;
}

interface StreamState {
  stream: LogStream;
  raw: string;
  offset: number;
  pending: Buffer;
}

/**
 * Turns a container instance's raw stdout/stderr files into its CRI log. pump() reads what the
 * files gained since the last pump; close() flushes a final unterminated line as F (as
 * containerd does at EOF). Offsets are saved beside the log so a new pump resumes there.
 */
export class LogPump {
  private readonly streams: StreamState[];
  private readonly offsetsFile: string;
  private watcher?: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly logFile: string,
    raw: Record<LogStream, string>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.offsetsFile = `${logFile}.offsets`;
    let saved: Partial<Record<LogStream, number>> = {};
    try {
      saved = JSON.parse(fs.readFileSync(this.offsetsFile, 'utf8')) as Partial<Record<LogStream, number>>;
    } catch {
      // fresh instance
    }
    this.streams = (['stdout', 'stderr'] as const).map((s) => ({ stream: s, raw: raw[s], offset: saved[s] ?? 0, pending: Buffer.alloc(0) }));
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
  }

  /** Pumps every intervalMs until close(). */
  start(intervalMs = 250): this {
    this.watcher = setInterval(() => this.pump(), intervalMs);
    this.watcher.unref();
    return this;
  }

  pump(final = false): void {
    let out = '';
    for (const s of this.streams) {
      const data = readFrom(s.raw, s.offset);
      s.offset += data.length;
      let buf = s.pending.length ? Buffer.concat([s.pending, data]) : data;
      for (;;) {
        const nl = buf.indexOf(0x0a);
        if (nl < 0 || nl > maxLogLineBytes) break;
        out += formatCRILine(criTimestamp(this.now()), s.stream, false, buf.subarray(0, nl).toString('utf8'));
        buf = buf.subarray(nl + 1);
      }
      while (buf.length > maxLogLineBytes) {
        out += formatCRILine(criTimestamp(this.now()), s.stream, true, buf.subarray(0, maxLogLineBytes).toString('utf8'));
        buf = buf.subarray(maxLogLineBytes);
      }
      if (final && buf.length) {
        out += formatCRILine(criTimestamp(this.now()), s.stream, false, buf.toString('utf8'));
        buf = Buffer.alloc(0);
      }
      s.pending = Buffer.from(buf);
    }
    if (!out) return;
    fs.appendFileSync(this.logFile, out);
    // The offsets count only what has become records, so a restarted pump re-reads a pending partial line.
    const saved = Object.fromEntries(this.streams.map((s) => [s.stream, s.offset - s.pending.length]));
    fs.writeFileSync(this.offsetsFile, JSON.stringify(saved));
  }

  /** Final pump (the process has exited) and stop. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watcher) clearInterval(this.watcher);
    this.pump(true);
  }

  /** Stops without a final flush (the kubelet is shutting down; the process keeps running). */
  detach(): void {
    this.closed = true;
    if (this.watcher) clearInterval(this.watcher);
    this.pump(false);
  }
}
