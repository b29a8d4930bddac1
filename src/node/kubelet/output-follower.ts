// What `kubectl attach` streams: the bytes a container writes to its stdout/stderr from the
// moment of the attach on. The container writes to plain files (cri-log.ts: it must not
// depend on the kubelet), so each attach follows the raw file itself, from the size it had
// when the attach began: every attach gets its own copy, partial lines (a shell prompt, a
// tty's echo) arrive at once, and the CRI log is still written by the LogPump as before.
import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { readFrom } from './file-read.js';

export interface FollowOptions {
  /** Resolves when nothing more will be written (the container exited): the rest is read and the stream ends. */
  done: Promise<unknown>;
  /** Stops following without reading the rest (the client went away). */
  signal?: AbortSignal;
  /** The fallback poll when no change notification comes (default 100 ms). */
  pollMs?: number;
  /** Start here instead of at the file's current end. */
  fromOffset?: number;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The bytes appended to `file` from now (or fromOffset) on, until done or the signal. */
export function followFile(file: string, opts: FollowOptions): Readable {
  const out = new PassThrough();
  let offset = opts.fromOffset ?? fileSize(file);
  let stopped = false;
  const readMore = () => {
    const b = readFrom(file, offset);
    offset += b.length;
    if (b.length && !out.destroyed) out.write(b);
  };
  let watcher: fs.FSWatcher | undefined;
  try {
    // inotify wakes us as soon as the container writes; the poll covers a file created later.
    watcher = fs.watch(file, { persistent: false }, () => {
      if (!stopped) readMore();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  const timer = setInterval(readMore, opts.pollMs ?? 100);
  timer.unref();
  const stop = (final: boolean) => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    watcher?.close();
    if (final) readMore();
    out.end();
  };
  void opts.done.then(
    () => stop(true),
    () => stop(true),
  );
  if (opts.signal?.aborted) stop(false);
  else opts.signal?.addEventListener('abort', () => stop(false), { once: true });
  out.on('close', () => stop(false));
  return out;
}
