// What `kubectl attach` streams: the bytes a container writes to its stdout/stderr, taken
// from its CRI log (the log writer turns a quiet unterminated rest into a P record at once,
// so a shell's prompt or a tty's echo arrives without waiting for a newline). Every attach
// follows the log on its own, through rotations, from its current end or, for the output a
// stdin+stdinOnce container holds for its first attach, from the instance's beginning.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { parseRawCriRecord, readLogLines, type LogStream } from './cri-log.js';

export interface FollowOutputOptions {
  /** From the instance's first record (held output) or from now. */
  from: 'start' | 'end';
  /** Resolves when the log is complete (the container exited): the rest is read and the streams end. */
  done: Promise<unknown>;
  /** Stops following without reading the rest (the client went away). */
  signal?: AbortSignal;
  /** Which streams the client takes (with a tty, everything is on stdout). */
  streams: Record<LogStream, boolean>;
}

export interface FollowedOutput {
  stdout: PassThrough | null;
  stderr: PassThrough | null;
  /** Resolves once everything was passed on and the streams ended. */
  finished: Promise<void>;
}

const newline = Buffer.from('\n');

/** The output of a container instance whose log is `logFile`, split back into stdout and stderr. */
export function followContainerOutput(logFile: string, opts: FollowOutputOptions): FollowedOutput {
  const outs: Record<LogStream, PassThrough | null> = {
    stdout: opts.streams.stdout ? new PassThrough() : null,
    stderr: opts.streams.stderr ? new PassThrough() : null,
  };
  const live = () => Object.values(outs).some((o) => o && !o.destroyed);
  const pass = async (): Promise<void> => {
    for await (const lines of readLogLines(logFile, { from: opts.from, follow: true, done: opts.done, signal: opts.signal })) {
      for (const line of lines) {
        const r = parseRawCriRecord(line);
        const out = r && outs[r.stream];
        if (!out || out.destroyed) continue;
        const ok = out.write(r.partial ? r.content : Buffer.concat([r.content, newline]));
        // A slow client holds the reading back instead of filling memory.
        if (!ok) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      }
      if (!live()) return;
    }
  };
  const finished = pass()
    .catch(() => undefined)
    .finally(() => {
      for (const o of Object.values(outs)) o?.end();
    });
  return { stdout: outs.stdout, stderr: outs.stderr, finished };
}
