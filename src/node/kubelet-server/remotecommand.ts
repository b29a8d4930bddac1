// The transport-independent half of exec/attach (upstream:
// pkg/kubelet/cri/streaming/remotecommand): join a process to a client's channels and
// report how it ended as a metav1.Status on the error channel.
import type { Status } from '../../api/types.js';
import type { Readable } from 'node:stream';
import type { StreamingProcess, StreamOptions, TerminalSize } from './streaming-runtime.js';

/** The Status on the error channel: metav1.Status as the kubelet writes it, without kind/apiVersion. */
export type StreamStatus = Omit<Status, 'kind' | 'apiVersion' | 'code'> & { code?: number };

/** The client side of one exec/attach session, whatever the wire (WebSocket or SPDY). */
export interface RemoteCommandTransport {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** Sends the status on the error channel and ends the session. */
  finish(status: StreamStatus): void;
  onStdin(data: (chunk: Buffer) => void, end: () => void): void;
  onResize(handler: (size: TerminalSize) => void): void;
  /** The client went away before finish(). */
  onClosed(handler: () => void): void;
}

/** The exit code as remotecommand's Status: Success, or Failure/NonZeroExitCode with an ExitCode cause. */
export function exitStatus(code: number, command: string[]): StreamStatus {
  if (code === 0) return { metadata: {}, status: 'Success' };
  // The message is the kubelet's wrapping of containerd's CodeExitError text.
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function successStatus(): StreamStatus {
  return { metadata: {}, status: 'Success' };
}

export function internalErrorStatus(message: string): StreamStatus {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', code: 500, details: { causes: [{ message }] } };
}

/** How long to wait for the output pipes to drain after the process ended. */
const drainGraceMs = 2000;

function ended(stream: Readable | null): Promise<void> {
  if (!stream || stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => resolve();
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

/**
 * Runs one session: output to the client, client input to the process, resizes to the
 * terminal; at the end the status (exec: from the exit code; attach: Success).
 */
export function serveRemoteCommand(
  proc: StreamingProcess,
  transport: RemoteCommandTransport,
  opts: StreamOptions,
  statusFor: (code: number) => StreamStatus,
): Promise<void> {
  let finished = false;
  if (opts.stdout && proc.stdout) proc.stdout.on('data', (c: Buffer) => transport.stdout(c));
  else proc.stdout?.resume();
  if (opts.stderr && proc.stderr) proc.stderr.on('data', (c: Buffer) => transport.stderr(c));
  else proc.stderr?.resume();
  proc.stdin?.on('error', () => undefined);
  if (opts.stdin && proc.stdin) {
    const stdin = proc.stdin;
    transport.onStdin(
      (chunk) => {
        if (!stdin.writableEnded) stdin.write(chunk);
      },
      () => stdin.end(),
    );
  } else {
    proc.stdin?.end();
  }
  transport.onResize((size) => proc.resize?.(size));
  transport.onClosed(() => {
    if (!finished) proc.close();
  });
  return proc.exited.then(async (code) => {
    const drained = Promise.all([ended(proc.stdout), ended(proc.stderr)]);
    await Promise.race([drained, new Promise((r) => setTimeout(r, drainGraceMs).unref())]);
    finished = true;
    transport.finish(statusFor(code));
  });
}
