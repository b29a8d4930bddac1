// `kubectl attach` (and `kubectl run -i/-t`) to a container's main process (upstream: the
// CRI Attach of containerd). Output is what the container writes from the attach moment on
// (read back from its log, output-follower.ts; with tty that is the pty stream, all on
// stdout), except that a container with stdin and stdinOnce holds what it wrote before its
// first attach for it (as Docker's attach stream does): `kubectl run -i` of a command that is
// done before kubectl attaches still shows all of its output; input goes into the container's stdin FIFO (container-stdin.ts). Upstream
// semantics of stdinOnce: stdin closes (the process reads EOF) when the first attach session
// that carried stdin ends, by the client closing stdin or by going away; without it stdin
// stays open across attaches. A resize goes to the container's terminal.
import { finished, Writable } from 'node:stream';
import { ApiError } from '../../api/errors.js';
import type { Container } from '../../api/types.js';
import type { StreamingProcess, StreamOptions } from '../kubelet-server/streaming-runtime.js';
import type { PodRuntime } from './container-runtime.js';
import { openStdinWriter } from './container-stdin.js';
import { resizeTty } from './container-tty.js';
import { followContainerOutput } from './output-follower.js';

/** The stdin of one attach session: writes into the FIFO; its end ends the session's stdin. */
function stdinSession(runtime: PodRuntime, name: string, stdinOnce: boolean): { stdin: Writable; end(): void } | undefined {
  const relay = runtime.stdinRelay(name);
  const writer = relay && openStdinWriter(relay);
  if (!writer) return undefined;
  if (stdinOnce) runtime.stdinSessionStarted(name);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    // What was written reaches the pipe first; then this writer goes and, with stdinOnce, the keeper too: EOF.
    finished(writer, () => {
      writer.destroy();
      if (stdinOnce) runtime.closeStdin(name);
    });
    writer.end();
  };
  const stdin = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (writer.destroyed) return cb();
      writer.write(chunk, () => cb());
    },
    final(cb) {
      end();
      cb();
    },
    destroy(err, cb) {
      // Torn down without an end (a writer that dies with its kubelet): the fd goes, stdin stays as it is.
      if (!ended) writer.destroy();
      cb(err);
    },
  });
  return { stdin, end };
}

export function attachContainer(runtime: PodRuntime, name: string, opts: StreamOptions): StreamingProcess {
  const c = runtime.containerSpec(name);
  const rec = runtime.record(name);
  if (!c || !rec) throw ApiError.badRequest(`container ${name} is not valid for pod ${runtime.pod.metadata.name ?? ''}`);
  const exited = runtime.containerExited(name) ?? Promise.resolve();
  const pid = runtime.containerPid(name);
  const abort = new AbortController();
  const held = runtime.takeOutput(name);
  const output = followContainerOutput(runtime.logPath(name, rec.restartCount), {
    from: held ? 'start' : 'end',
    done: runtime.logComplete(name) ?? Promise.resolve(),
    signal: abort.signal,
    // With a terminal, stderr is the terminal: everything is on stdout.
    streams: { stdout: opts.stdout, stderr: opts.stderr && !c.tty },
  });
  const session = opts.stdin && c.stdin ? stdinSession(runtime, name, c.stdinOnce === true) : undefined;
  void exited.then(() => session?.end());
  return {
    stdin: session?.stdin ?? null,
    stdout: output.stdout,
    stderr: output.stderr,
    exited: output.finished.then(() => 0),
    resize: c.tty && pid ? (size) => void resizeTty(pid, size) : undefined,
    close: () => {
      // The client went away: attach only detaches; a stdinOnce container's stdin closes with the session.
      abort.abort();
      session?.end();
    },
  };
}

/**
 * An attach that raced the end of a stdin+stdinOnce container whose pod has finished on this
 * node: the output held for the first attach is its whole last log, then the stream ends.
 */
export function replayHeldOutput(logFile: string, c: Container, opts: StreamOptions): StreamingProcess {
  const output = followContainerOutput(logFile, { from: 'start', done: Promise.resolve(), streams: { stdout: opts.stdout, stderr: opts.stderr && !c.tty } });
  return { stdin: null, stdout: output.stdout, stderr: output.stderr, exited: output.finished.then(() => 0), close: () => undefined };
}
