// GET /containerLogs/{namespace}/{pod}/{container}: the text of a container's CRI log,
// filtered as PodLogOptions say (upstream: pkg/kubelet/kuberuntime/logs/logs.go ReadLogs),
// read across the instance's rotated files; with follow, through later rotations.
import { ApiError } from '../../api/errors.js';
import { queryBool } from '../../api/query-params.js';
import type { ContainerLogFile } from './streaming-runtime.js';
import { entryTimeMs, outputTimestamp, parseRawCriRecord, readLogLines } from '../kubelet/cri-log.js';

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Only entries at or after this instant (sinceSeconds / sinceTime). */
  sinceMs?: number;
  limitBytes?: number;
}

/** Where the text goes; write resolves when the client can take more. */
export interface LogSink {
  write(chunk: Buffer): Promise<void>;
  /** True once the client has gone: stop reading. */
  readonly closed: boolean;
}

const followPollMs = 100;

function integer(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw ApiError.badRequest(`invalid value ${JSON.stringify(v)} for ${name}`);
  if (n < min) throw ApiError.badRequest(`${name}: Invalid value: ${n}: must be greater than ${min === 0 ? 'or equal to 0' : min - 1}`);
  return n;
}

export function parseLogOptions(q: URLSearchParams, now: number = Date.now()): LogOptions {
  const opts: LogOptions = { follow: queryBool(q, 'follow'), previous: queryBool(q, 'previous'), timestamps: queryBool(q, 'timestamps') };
  opts.tailLines = integer(q, 'tailLines', 0);
  opts.limitBytes = integer(q, 'limitBytes', 1);
  const sinceSeconds = integer(q, 'sinceSeconds', 1);
  if (sinceSeconds !== undefined) opts.sinceMs = now - sinceSeconds * 1000;
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw ApiError.badRequest(`invalid value ${JSON.stringify(sinceTime)} for sinceTime`);
    opts.sinceMs = t;
  }
  return opts;
}

/**
 * Streams the text of a container instance's log (its rotated files, then the current one)
 * to sink until its end, or, with follow, until the instance's log is complete. A log not
 * written yet is empty, and followed until it is.
 */
export async function streamContainerLog(file: ContainerLogFile, opts: LogOptions, sink: LogSink): Promise<void> {
  let remaining = opts.limitBytes ?? Infinity;
  // After a partial (P) entry the next entry continues the same line: no new timestamp.
  let midLine = false;
  const abort = new AbortController();
  const emit = async (line: Buffer): Promise<boolean> => {
    const e = parseRawCriRecord(line);
    if (!e) return true;
    if (opts.sinceMs !== undefined && entryTimeMs(e.time) < opts.sinceMs) return true;
    const parts = [e.content];
    if (opts.timestamps && !midLine) parts.unshift(Buffer.from(`${outputTimestamp(e.time)} `));
    if (!e.partial) parts.push(newline);
    midLine = e.partial;
    let out = Buffer.concat(parts);
    if (out.length > remaining) out = out.subarray(0, remaining);
    remaining -= out.length;
    if (out.length) await sink.write(out);
    return remaining > 0 && !sink.closed;
  };
  const lines = readLogLines(file.path, {
    from: opts.tailLines !== undefined ? { tailLines: opts.tailLines } : 'start',
    follow: opts.follow && file.exited !== undefined,
    done: file.exited,
    signal: abort.signal,
    pollMs: followPollMs,
  });
  // Only a follow waits for lines: a client that leaves meanwhile ends the wait. A plain read
  // stops at its next line (emit sees sink.closed).
  const stop = opts.follow ? setInterval(() => sink.closed && abort.abort(), followPollMs) : undefined;
  try {
    for await (const batch of lines) {
      for (const line of batch) if (!(await emit(line))) return;
    }
  } finally {
    clearInterval(stop);
    await lines.return(undefined);
  }
}

const newline = Buffer.from('\n');

/** The whole text of a log (no follow), as `kubectl logs` gets it. */
export async function readContainerLogText(path: string, opts: Partial<LogOptions> = {}): Promise<string> {
  const chunks: Buffer[] = [];
  await streamContainerLog({ path }, { follow: false, previous: false, timestamps: false, ...opts }, { closed: false, write: async (b) => void chunks.push(b) });
  return Buffer.concat(chunks).toString('utf8');
}
