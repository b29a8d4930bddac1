// exec/attach over SPDY/3.1 (kubectl 1.27–1.29, and the fallback of later clients when a
// WebSocket upgrade is refused). After the HTTP upgrade the client opens one SPDY stream
// per channel, named by its `streamType` header (error, stdin, stdout, stderr, resize);
// the server replies to each, copies data and, at the end, writes the Status on the error
// stream (remotecommand protocol v4) and goes away. Upstream: apimachinery
// pkg/util/httpstream/spdy, moby/spdystream, kubelet cri/streaming/remotecommand.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { flagFin, readSpdyFrames, SpdyFrameWriter, type SpdyFrame } from './spdy-framing.js';
import type { RemoteCommandTransport, StreamStatus } from './remotecommand.js';
import type { StreamOptions, TerminalSize } from './streaming-runtime.js';
import { parseResize } from './websocket-remotecommand.js';
import { endConnection } from '../../util/end-connection.js';

/** The remotecommand protocols served over SPDY, best first. */
export const spdyProtocols = ['v4.channel.k8s.io'] as const;

/** How long the client has to open its streams (kubelet's streamCreationTimeout default). */
const streamCreationTimeoutMs = 30_000;
const maxDataFrame = 32 * 1024;

export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return String(req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1';
}

/** The X-Stream-Protocol-Version values the client offers, in its order (httpstream.Handshake). */
export function offeredStreamProtocols(req: IncomingMessage): string[] {
  const raw = req.headersDistinct['x-stream-protocol-version'] ?? [];
  return raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** httpstream.Handshake's choice: the first protocol the client offers that the server supports. */
export function negotiateSpdyProtocol(req: IncomingMessage, supported: readonly string[] = spdyProtocols): string | undefined {
  return offeredStreamProtocols(req).find((p) => supported.includes(p));
}

/** The answer when no protocol matches (httpstream.Handshake: 403 with this text). */
export function spdyNegotiationError(req: IncomingMessage, supported: readonly string[] = spdyProtocols): string {
  return `unable to upgrade: unable to negotiate protocol: client supports [${offeredStreamProtocols(req).join(' ')}], server supports [${supported.join(' ')}]`;
}

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

/** The streams a v4 client opens for these options (kubelet v4ProtocolHandler.waitForStreams). */
function expectedStreams(opts: StreamOptions): StreamType[] {
  const want: StreamType[] = ['error'];
  if (opts.stdin) want.push('stdin');
  if (opts.stdout) want.push('stdout');
  if (opts.stderr && !opts.tty) want.push('stderr');
  if (opts.tty) want.push('resize');
  return want;
}

/**
 * Answers the upgrade with 101 (SPDY/3.1, the negotiated protocol), waits for the
 * client's streams and returns the session's transport; rejects if they do not come.
 */
export function acceptSpdy(socket: Duplex, head: Buffer, protocol: string, opts: StreamOptions): Promise<RemoteCommandTransport> {
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' + 'Connection: Upgrade\r\n' + 'Upgrade: SPDY/3.1\r\n' + `X-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
  );
  const writer = new SpdyFrameWriter();
  const streams = new Map<number, StreamType>();
  const ids: Partial<Record<StreamType, number>> = {};
  const want = expectedStreams(opts);
  let stdin: { data: (c: Buffer) => void; end: () => void } | undefined;
  let stdinEnded = false;
  let resize: ((s: TerminalSize) => void) | undefined;
  let closed: (() => void) | undefined;
  let resizeBuf = '';
  let lastStreamId = 0;
  let done = false;

  const write = (b: Buffer) => {
    if (!socket.destroyed && socket.writable) socket.write(b);
  };
  const endStdin = () => {
    if (stdinEnded) return;
    stdinEnded = true;
    stdin?.end();
  };
  const onData = (type: StreamType | undefined, data: Buffer, fin: boolean) => {
    if (type === 'stdin') {
      if (data.length && !stdinEnded) stdin?.data(data);
      if (fin) endStdin();
    } else if (type === 'resize') {
      resizeBuf += data.toString();
      let nl: number;
      while ((nl = resizeBuf.indexOf('\n')) >= 0) {
        const size = parseResize(Buffer.from(resizeBuf.slice(0, nl)));
        resizeBuf = resizeBuf.slice(nl + 1);
        if (size) resize?.(size);
      }
    }
  };

  return new Promise((resolve, reject) => {
    let resolved = false;
    const timer = setTimeout(() => {
      if (resolved) return;
      socket.destroy();
      reject(new Error('timed out waiting for client to create streams'));
    }, streamCreationTimeoutMs);
    timer.unref();

    const transport: RemoteCommandTransport = {
      stdout: (c) => sendData(ids.stdout, c),
      stderr: (c) => sendData(ids.stderr, c),
      finish(status: StreamStatus) {
        done = true;
        for (const t of ['stdout', 'stderr'] as const) if (ids[t] !== undefined) write(writer.data(ids[t]!, Buffer.alloc(0), true));
        if (ids.error !== undefined) write(writer.data(ids.error, Buffer.from(JSON.stringify(status)), true));
        // As spdystream's Close after the handler returns: GOAWAY, then the connection ends.
        write(writer.goAway(lastStreamId));
        endConnection(socket);
      },
      onStdin(data, end) {
        stdin = { data, end };
      },
      onResize(h) {
        resize = h;
      },
      onClosed(h) {
        closed = h;
      },
    };

    function sendData(id: number | undefined, c: Buffer) {
      if (id === undefined) return;
      for (let i = 0; i < c.length; i += maxDataFrame) write(writer.data(id, c.subarray(i, i + maxDataFrame)));
    }

    const handle = (f: SpdyFrame) => {
      switch (f.kind) {
        case 'synStream': {
          lastStreamId = Math.max(lastStreamId, f.streamId);
          const type = (f.headers['streamtype']?.[0] ?? '') as StreamType;
          streams.set(f.streamId, type);
          if (want.includes(type)) ids[type] = f.streamId;
          write(writer.synReply(f.streamId));
          if (f.flags & flagFin) onData(type, Buffer.alloc(0), true);
          if (!resolved && want.every((t) => ids[t] !== undefined)) {
            resolved = true;
            clearTimeout(timer);
            resolve(transport);
          }
          break;
        }
        case 'data':
          onData(streams.get(f.streamId), f.data, (f.flags & flagFin) !== 0);
          break;
        case 'rstStream':
          if (streams.get(f.streamId) === 'stdin') endStdin();
          break;
        case 'ping':
          write(writer.ping(f.id));
          break;
        case 'goAway':
          socket.end();
          break;
        default:
          break;
      }
    };

    socket.on('close', () => {
      clearTimeout(timer);
      if (!resolved) reject(new Error('connection closed before the streams were created'));
      else if (!done) closed?.();
    });
    readSpdyFrames(socket, head, handle);
  });
}
