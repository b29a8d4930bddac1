// Container logs in the CRI format (what containerd writes and the kubelet reads back for
// `kubectl logs`): one record per line, `<RFC3339 with 9 fractional digits> <stream> <tag>
// <content>`, tag F for a full line and P for a part of a longer one (containerd splits at
// 16 KiB). A pod's logs live under `<pod log dir>/<container>/<restartCount>.log` (upstream
// /var/log/pods/<ns>_<name>_<uid>/…), one file per container instance, so `--previous` is
// the file of restartCount-1; they outlive the pod's sandbox and go when the pod is deleted.
//
// Rotation as the kubelet's container log manager does it: once the current file reaches
// containerLogMaxSize it is renamed `<n>.log.<YYYYMMDD-HHMMSS>` and a new one begins; at
// most containerLogMaxFiles files (the current one included) are kept, the oldest removed.
// Readers (kubectl logs, attach) read the rotated files oldest first, then the current one.
//
// The container writes into FIFOs (container-output.ts); the log writer (log-writer.ts, a
// worker thread) turns what it reads there into records with CriRecordSplitter and appends
// them with RotatingLogFile. The kubelet server reads them back with readLogLines.
import fs from 'node:fs';
import path from 'node:path';

export type LogStream = 'stdout' | 'stderr';

/** containerd's maximum record size: longer lines become P records. */
export const maxLogLineBytes = 16 * 1024;

/** kubelet's containerLogMaxSize default (10Mi): the current file is rotated once it is this big. */
export const containerLogMaxSize = 10 * 1024 * 1024;
/** kubelet's containerLogMaxFiles default: files kept per container instance, the current one included. */
export const containerLogMaxFiles = 5;

/** The log of one container instance; `podLogDir` is the pod's own log directory. */
export function containerLogPath(podLogDir: string, container: string, restartCount: number): string {
  return path.join(podLogDir, container, `${restartCount}.log`);
}

/** The pod's log directory under the node's log root (upstream BuildPodLogsDirectory: <ns>_<name>_<uid>). */
export function podLogDirectory(root: string, namespace: string, name: string, uid: string): string {
  return path.join(root, `${namespace}_${name}_${uid}`);
}

/** The FIFO an instance writes its stdout/stderr into (given to the process as fd 1 and 2). */
export function outputFifoPath(podDir: string, container: string, restartCount: number, stream: LogStream): string {
  // In the sandbox's directory, not under containers/<name> (the writable layer, replaced on restart).
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

/** One record stamped with `now` (millisecond precision), as text (tests and fakes writing logs). */
export function formatCriLogLine(stream: LogStream, text: string, partial: boolean, now: Date = new Date()): string {
  return `${rfc3339Nano(now)} ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
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



/** One record, parsed from its raw bytes (content kept as bytes: a container may write anything). */
export interface RawCriRecord {
  time: string;
  stream: LogStream;
  partial: boolean;
  content: Buffer;
}

/** Parses one line (without its newline); undefined when it is not a CRI record (an empty F line may lack the space after its tag). */
export function parseRawCriRecord(line: Buffer): RawCriRecord | undefined {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line[s2 + 1];
  if ((tag !== 0x50 && tag !== 0x46) || (s2 + 2 < line.length && line[s2 + 2] !== 0x20)) return undefined;
  return { time: line.toString('latin1', 0, s1), stream, partial: tag === 0x50, content: line.subarray(Math.min(s2 + 3, line.length)) };
}

function record(stream: LogStream, partial: boolean, content: Buffer, now: Date): Buffer {
  return Buffer.concat([Buffer.from(`${criTimestamp(now)} ${stream} ${partial ? 'P' : 'F'} `), content, newline]);
}
const newline = Buffer.from('\n');

/**
 * Turns one stream's output chunks into CRI records (containerd's cri logger): a full line
 * is an F record, a line longer than maxLogLineBytes is cut into P records. An unterminated
 * rest waits for its newline; takeRest() turns it into a P record (the stream went quiet:
 * an attach must see a shell's prompt at once) or, at the end of the stream, an F record.
 */
export class CriRecordSplitter {
  private rest: Buffer = Buffer.alloc(0);

  constructor(
    private readonly stream: LogStream,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  get pending(): number {
    return this.rest.length;
  }

  /** The records for what `chunk` completes. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
      let line = data.subarray(0, nl);
      for (; line.length > maxLogLineBytes; line = line.subarray(maxLogLineBytes)) out.push(record(this.stream, true, line.subarray(0, maxLogLineBytes), this.clock()));
      out.push(record(this.stream, false, line, this.clock()));
      data = data.subarray(nl + 1);
    }
    for (; data.length > maxLogLineBytes; data = data.subarray(maxLogLineBytes)) out.push(record(this.stream, true, data.subarray(0, maxLogLineBytes), this.clock()));
    // A copy: the chunk's memory is not kept alive by a few bytes of it.
    this.rest = Buffer.from(data);
    return out;
  }

  /** The unterminated rest as a record: P while the stream goes on, F at its end (containerd at EOF). */
  takeRest(final: boolean): Buffer[] {
    if (!this.rest.length) return [];
    const r = record(this.stream, !final, this.rest, this.clock());
    this.rest = Buffer.alloc(0);
    return [r];
  }
}

/** The rotated files of a log, oldest first (`<file>.<YYYYMMDD-HHMMSS>[.<seq>]`; kept uncompressed). */
export function rotatedLogFiles(logFile: string): string[] {
  const dir = path.dirname(logFile);
  const prefix = `${path.basename(logFile)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d{8}-\d{6}(\.\d{3})?$/.test(n.slice(prefix.length)))
    .sort()
    .map((n) => path.join(dir, n));
}

/** Every file of a log, oldest first: the rotated ones, then the current one. */
export function logFileSet(logFile: string): string[] {
  return [...rotatedLogFiles(logFile), logFile];
}

/** Removes a log with its rotated files. */
export function removeLogFileSet(logFile: string): void {
  for (const f of logFileSet(logFile)) fs.rmSync(f, { force: true });
}

function rotationSuffix(d: Date): string {
  // upstream timestampFormat "20060102-150405" (UTC here, so the names sort in time order).
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export interface RotationPolicy {
  maxSize: number;
  maxFiles: number;
}

/**
 * The current file of a container instance's log, appended to synchronously (by the log
 * writer's own thread) and rotated per the kubelet's policy: ≤ maxFiles files, each about
 * maxSize (a file is rotated after the write that makes it reach maxSize).
 */
export class RotatingLogFile {
  private fd: number;
  private size: number;

  constructor(
    readonly file: string,
    private readonly policy: RotationPolicy = { maxSize: containerLogMaxSize, maxFiles: containerLogMaxFiles },
    private readonly clock: () => Date = () => new Date(),
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  write(records: Buffer[]): void {
    if (!records.length) return;
    const buf = records.length === 1 ? records[0] : Buffer.concat(records);
    for (let off = 0; off < buf.length; ) off += fs.writeSync(this.fd, buf, off);
    this.size += buf.length;
    if (this.size >= this.policy.maxSize) this.rotate();
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private rotate(): void {
    const base = `${this.file}.${rotationSuffix(this.clock())}`;
    // Rotations within one second get a sequence after the last one of that second, so names keep sorting in time order.
    const last = rotatedLogFiles(this.file).filter((f) => f === base || f.startsWith(`${base}.`)).at(-1);
    const target = last === undefined ? base : `${base}.${String(last === base ? 1 : Number(last.slice(base.length + 1)) + 1).padStart(3, '0')}`;
    fs.renameSync(this.file, target);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, 'a');
    this.size = 0;
    const rotated = rotatedLogFiles(this.file);
    for (const old of rotated.slice(0, Math.max(0, rotated.length - (this.policy.maxFiles - 1)))) fs.rmSync(old, { force: true });
  }
}

export interface ReadLinesOptions {
  /** Where to begin: the first rotated file, the current end (attach), or the last n lines. */
  from: 'start' | 'end' | { tailLines: number };
  follow: boolean;
  /** Resolves once nothing more will be written: following reads to the end and stops. */
  done?: Promise<unknown>;
  signal?: AbortSignal;
  /** The fallback poll while following (a directory watch wakes it sooner). */
  pollMs?: number;
}

const readChunk = 64 * 1024;

function inode(p: string): number | undefined {
  try {
    return fs.statSync(p).ino;
  } catch {
    return undefined;
  }
}

/**
 * Where the last `want` lines of a file begin, reading it backwards 64 KiB at a time
 * (kubelet's tail.FindTailLineStartIndex); with how many lines it found when fewer.
 */
async function tailIn(file: string, want: number): Promise<{ start: number; found: number } | undefined> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(readChunk);
    let found = 0;
    // A final newline ends the last line; it does not begin another.
    let end = size;
    let skipFinal = true;
    while (end > 0) {
      const from = Math.max(0, end - readChunk);
      const { bytesRead } = await fh.read(buf, 0, end - from, from);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) continue;
        if (skipFinal && from + i === size - 1) continue;
        if (++found === want) return { start: from + i + 1, found };
      }
      skipFinal = false;
      end = from;
    }
    return { start: 0, found: size > 0 ? found + 1 : 0 };
  } finally {
    await fh.close();
  }
}

/** Which file and offset the last n lines of a log begin at (reading the files newest first). */
async function tailPosition(files: string[], n: number): Promise<{ index: number; offset: number }> {
  if (n === 0) return { index: files.length - 1, offset: Infinity };
  let want = n;
  for (let i = files.length - 1; i >= 0; i--) {
    const t = await tailIn(files[i], want);
    if (!t) continue;
    if (t.found >= want) return { index: i, offset: t.start };
    want -= t.found;
  }
  return { index: 0, offset: 0 };
}

const sleep = (ms: number, wake: { fn?: () => void }, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      wake.fn = undefined;
      resolve();
    };
    const t = setTimeout(done, ms);
    wake.fn = done;
    if (signal?.aborted) done();
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * The lines (without their newline) of a container instance's log, in batches: across its
 * rotated files, then the current one; with follow, what is appended later too, following
 * the current file through rotations (its inode changes), until done or the signal. Reads
 * 64 KiB at a time: memory stays bounded whatever the log's size.
 */
export async function* readLogLines(logFile: string, opts: ReadLinesOptions): AsyncGenerator<Buffer[]> {
  let ended = !opts.follow;
  void opts.done?.then(
    () => (ended = true),
    () => (ended = true),
  );
  const files = opts.from === 'end' ? [logFile] : logFileSet(logFile);
  let index = 0;
  let offset = 0;
  if (opts.from === 'end') offset = (await fs.promises.stat(logFile).catch(() => undefined))?.size ?? 0;
  else if (opts.from !== 'start') ({ index, offset } = await tailPosition(files, opts.from.tailLines));
  const wake: { fn?: () => void } = {};
  let watcher: fs.FSWatcher | undefined;
  if (opts.follow) {
    try {
      // The directory, not the file: a rotation replaces the file, the directory stays.
      watcher = fs.watch(path.dirname(logFile), { persistent: false }, () => wake.fn?.());
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined;
    }
  }
  const buf = Buffer.alloc(readChunk);
  try {
    for (; index < files.length; index++, offset = 0) {
      const current = index === files.length - 1;
      let fh: fs.promises.FileHandle | undefined;
      for (;;) {
        try {
          fh = await fs.promises.open(files[index], 'r');
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          // A rotated file removed meanwhile is skipped; the current one may not exist yet.
          if (!current || ended || opts.signal?.aborted) break;
          await sleep(opts.pollMs ?? 250, wake, opts.signal);
        }
      }
      if (!fh) continue;
      try {
        if (offset === Infinity) offset = (await fh.stat()).size;
        let carry: Buffer = Buffer.alloc(0);
        for (;;) {
          if (opts.signal?.aborted) return;
          const wasEnded = ended;
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          if (bytesRead > 0) {
            offset += bytesRead;
            let data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
            const lines: Buffer[] = [];
            for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
              lines.push(Buffer.from(data.subarray(0, nl)));
              data = data.subarray(nl + 1);
            }
            carry = Buffer.from(data);
            if (lines.length) yield lines;
            continue;
          }
          if (!current || !opts.follow) break;
          const fileIno = (await fh.stat()).ino;
          if (inode(logFile) !== undefined && inode(logFile) !== fileIno) {
            // Rotated: what is left of this file was read above; the new current file follows.
            files.push(logFile);
            break;
          }
          if (wasEnded) break;
          await sleep(opts.pollMs ?? 250, wake, opts.signal);
        }
        if (carry.length && (!opts.follow || ended)) yield [carry];
      } finally {
        await fh.close();
      }
    }
  } finally {
    watcher?.close();
  }
}
