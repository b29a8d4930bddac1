// GET /containerLogs/{namespace}/{pod}/{container}: the text of a container's CRI log,
// filtered as PodLogOptions say (upstream: pkg/kubelet/kuberuntime/logs/logs.go ReadLogs).
import fs from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { ApiError } from '../../api/errors.js';
import { queryBool } from '../../api/query-params.js';
import type { ContainerLogFile } from './streaming-runtime.js';
import { entryTimeMs, outputTimestamp, parseCriLogLine } from '../kubelet/cri-log.js';

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
const readChunk = 64 * 1024;

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

/** Byte offset where the last n lines of buf begin (kubelet's tail.FindTailLineStartIndex counts raw lines). */
export function tailStart(buf: Buffer, n: number): number {
  if (n === 0) return buf.length;
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 0x0a) end--;
  let pos = end;
  for (let seen = 0; pos > 0; ) {
    const nl = buf.lastIndexOf(0x0a, pos - 1);
    if (nl < 0) return 0;
    if (++seen === n) return nl + 1;
    pos = nl;
  }
  return 0;
}

/** Streams the log file's text to sink until its end, or, with follow, until the container exits. */
export async function streamContainerLog(file: ContainerLogFile, opts: LogOptions, sink: LogSink): Promise<void> {
  let ended = file.exited === undefined;
  void file.exited?.then(
    () => (ended = true),
    () => (ended = true),
  );
  const fh = await fs.open(file.path, 'r');
  try {
    let offset = 0;
    if (opts.tailLines !== undefined) {
      const { size } = await fh.stat();
      const whole = Buffer.alloc(size);
      await fh.read(whole, 0, size, 0);
      offset = tailStart(whole, opts.tailLines);
    }
    let remaining = opts.limitBytes ?? Infinity;
    let pendingLine = '';
    // After a partial (P) entry the next entry continues the same line: no new timestamp.
    let midLine = false;
    const emit = async (line: string): Promise<boolean> => {
      const e = parseCriLogLine(line);
      if (!e) return true;
      if (opts.sinceMs !== undefined && entryTimeMs(e.time) < opts.sinceMs) return true;
      const text = (opts.timestamps && !midLine ? `${outputTimestamp(e.time)} ` : '') + e.text + (e.partial ? '' : '\n');
      midLine = e.partial;
      let out = Buffer.from(text);
      if (out.length > remaining) out = out.subarray(0, remaining);
      remaining -= out.length;
      if (out.length) await sink.write(out);
      return remaining > 0 && !sink.closed;
    };
    const buf = Buffer.alloc(readChunk);
    // Reads may cut a multi-byte character in two.
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const wasEnded = ended;
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        pendingLine += decoder.write(buf.subarray(0, bytesRead));
        let nl: number;
        while ((nl = pendingLine.indexOf('\n')) >= 0) {
          const line = pendingLine.slice(0, nl);
          pendingLine = pendingLine.slice(nl + 1);
          if (!(await emit(line))) return;
        }
        continue;
      }
      if (!opts.follow || wasEnded || sink.closed) break;
      await new Promise((r) => setTimeout(r, followPollMs));
    }
    if (pendingLine) await emit(pendingLine);
  } finally {
    await fh.close();
  }
}
