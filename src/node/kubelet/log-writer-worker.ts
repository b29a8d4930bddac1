// The log writer's thread (log-writer.ts starts it): reads every container's output FIFOs
// and appends CRI records to its rotating log. All of it happens here, off the node
// agent's event loop, so a container writing hundreds of MiB never delays the Service proxy
// or the API clients that share that loop; memory stays at one 64 KiB read per stream, and
// a FIFO not read fills up and blocks its writer (back-pressure, as containerd's shim does).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { CriRecordSplitter, RotatingLogFile, type LogStream } from './cri-log.js';
import type { FromLogWriter, ToLogWriter } from './log-writer.js';

/** How long a stream may be quiet before its unterminated rest becomes a P record (an attach sees a prompt). */
const partialFlushMs = 50;
/** After the container exited: how long the FIFOs may be quiet before the log is complete (a left-over child may hold them). */
const drainQuietMs = 300;

interface StreamReader {
  sock: net.Socket;
  splitter: CriRecordSplitter;
  quiet: NodeJS.Timeout;
  open: boolean;
}

interface Instance {
  id: number;
  file: RotatingLogFile;
  failed?: boolean;
  streams: StreamReader[];
  drain?: NodeJS.Timeout;
  closed: boolean;
}

/**
 * On Linux setpriority(PRIO_PROCESS, 0) concerns the calling thread only: this thread yields
 * the CPU to the agent's main thread (the Service proxy) when both want it. Where that is
 * not allowed, it runs at the normal priority.
 */
try {
  os.setPriority(10);
} catch {
  // not permitted: normal priority
}

const instances = new Map<number, Instance>();
const post = (m: FromLogWriter) => parentPort?.postMessage(m);

/** Appends records; a failing log (its directory removed with the pod, a full disk) is reported once and dropped from then on. */
function append(inst: Instance, records: Buffer[]): void {
  if (inst.failed || !records.length) return;
  try {
    inst.file.write(records);
  } catch (e) {
    inst.failed = true;
    post({ op: 'error', id: inst.id, message: `${inst.file.file}: ${(e as Error).message}` });
  }
}

function closeInstance(id: number, final: boolean): void {
  const inst = instances.get(id);
  if (!inst || inst.closed) return;
  inst.closed = true;
  instances.delete(id);
  if (inst.drain) clearTimeout(inst.drain);
  for (const s of inst.streams) {
    clearTimeout(s.quiet);
    s.sock.destroy();
    // At the end an unterminated rest is a full line (containerd at EOF); on detach a part that the next writer continues.
    append(inst, s.splitter.takeRest(final));
  }
  try {
    inst.file.close();
  } catch {
    // already closed by a failed rotation
  }
  if (final) post({ op: 'done', id });
}

function open(m: Extract<ToLogWriter, { op: 'open' }>): void {
  const file = new RotatingLogFile(m.logFile, m.policy);
  const inst: Instance = { id: m.id, file, streams: [], closed: false };
  instances.set(m.id, inst);
  for (const [stream, fifo] of Object.entries(m.fifos) as [LogStream, string][]) {
    let fd: number;
    try {
      // Non-blocking: opening a FIFO's read end must not wait for a writer (the container holds one already).
      fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      post({ op: 'error', id: m.id, message: `${fifo}: ${(e as Error).message}` });
      continue;
    }
    const splitter = new CriRecordSplitter(stream);
    const sock = new net.Socket({ fd, readable: true, writable: false });
    const quiet = setTimeout(() => {
      if (!inst.closed) append(inst, splitter.takeRest(false));
    }, partialFlushMs);
    const reader: StreamReader = { sock, splitter, quiet, open: true };
    sock.on('data', (chunk: Buffer) => {
      if (inst.closed) return;
      append(inst, splitter.push(chunk));
      if (splitter.pending) reader.quiet.refresh();
      inst.drain?.refresh();
    });
    const ended = () => {
      if (!reader.open || inst.closed) return;
      reader.open = false;
      clearTimeout(reader.quiet);
      append(inst, splitter.takeRest(true));
      if (inst.streams.every((s) => !s.open)) closeInstance(m.id, true);
    };
    sock.on('end', ended);
    sock.on('error', ended);
    sock.on('close', ended);
    inst.streams.push(reader);
  }
  if (inst.streams.length === 0) closeInstance(m.id, true);
}

parentPort?.on('message', (m: ToLogWriter) => {
  try {
    if (m.op === 'open') open(m);
    else if (m.op === 'finish') {
      const inst = instances.get(m.id);
      if (inst && !inst.drain) inst.drain = setTimeout(() => closeInstance(m.id, true), drainQuietMs);
    } else if (m.op === 'detach') closeInstance(m.id, false);
  } catch (e) {
    post({ op: 'error', id: m.id, message: (e as Error).message });
    if (m.op === 'open') closeInstance(m.id, true);
  }
});
