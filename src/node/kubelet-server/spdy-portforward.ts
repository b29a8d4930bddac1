// `kubectl port-forward` over SPDY/3.1 (protocol portforward.k8s.io), as the kubelet's
// port-forward handler serves it (upstream: kubelet cri/streaming/portforward/httpstream.go).
// For each local connection kubectl opens two streams with the same `requestID` header:
// `streamType: error` then `streamType: data`, both naming the pod `port`. The node dials
// the pod's port and copies bytes between that connection and the data stream; a failure
// is written as text on the error stream. The session lasts until kubectl goes away.
//
// The same session also runs tunneled inside a WebSocket (kubectl ≥ 1.31 offers
// `SPDY/3.1+portforward.k8s.io` first): the WebSocket's binary messages carry the SPDY
// bytes, so `conn` is then a stream over the WebSocket and no HTTP 101 is written here.
import type { Duplex } from 'node:stream';
import { flagFin, readSpdyFrames, SpdyFrameWriter, type SpdyFrame } from './spdy-framing.js';

export const portForwardProtocol = 'portforward.k8s.io';
/** The WebSocket subprotocol of a tunneled SPDY session (client-go WebsocketsSPDYTunnelingPrefix). */
export const tunneledPortForwardProtocol = `SPDY/3.1+${portForwardProtocol}`;

const maxDataFrame = 32 * 1024;

/** The text on a port's error stream when the pod's port cannot be reached (SPDY and WebSocket alike). */
export function forwardError(port: number, podDesc: string, err: unknown): string {
  return `error forwarding port ${port} to pod ${podDesc}: ${err instanceof Error ? err.message : String(err)}`;
}

/** Connects to a port of the pod (its IP, from the node). */
export type PodDialer = (port: number) => Promise<Duplex>;

interface ForwardRequest {
  port: number;
  errorStream?: number;
  dataStream?: number;
  /** Bytes from kubectl that arrived before the pod connection was up. */
  pending: Buffer[];
  clientEnded: boolean;
  conn?: Duplex;
  done: boolean;
}

/** Answers the SPDY upgrade with 101 and serves the session (plain SPDY upgrade). */
export function acceptSpdyPortForward(socket: Duplex, head: Buffer, dial: PodDialer, podDesc: string): void {
  socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' + `X-Stream-Protocol-Version: ${portForwardProtocol}\r\n\r\n`);
  servePortForward(socket, head, dial, podDesc);
}

/** Serves one port-forward session on an established SPDY connection. */
export function servePortForward(conn: Duplex, head: Buffer, dial: PodDialer, podDesc: string): void {
  const writer = new SpdyFrameWriter();
  const requests = new Map<string, ForwardRequest>();
  const byStream = new Map<number, ForwardRequest>();

  const write = (b: Buffer) => {
    if (!conn.destroyed && conn.writable) conn.write(b);
  };
  const fail = (r: ForwardRequest, message: string) => finish(r, Buffer.from(message));
  /** Ends a request: both its streams closed (the error stream with the failure, if any). */
  const finish = (r: ForwardRequest, error = Buffer.alloc(0)) => {
    if (r.done) return;
    r.done = true;
    if (r.errorStream !== undefined) write(writer.data(r.errorStream, error, true));
    if (r.dataStream !== undefined) write(writer.data(r.dataStream, Buffer.alloc(0), true));
    r.conn?.destroy();
  };

  const start = async (r: ForwardRequest) => {
    let pod: Duplex;
    try {
      pod = await dial(r.port);
    } catch (err) {
      return fail(r, forwardError(r.port, podDesc, err));
    }
    if (r.done) return void pod.destroy();
    r.conn = pod;
    for (const b of r.pending) pod.write(b);
    r.pending = [];
    if (r.clientEnded) pod.end();
    pod.on('data', (c: Buffer) => {
      for (let i = 0; i < c.length; i += maxDataFrame) write(writer.data(r.dataStream!, c.subarray(i, i + maxDataFrame)));
    });
    pod.on('end', () => finish(r));
    pod.on('error', () => finish(r));
    pod.on('close', () => finish(r));
  };

  const onSynStream = (f: Extract<SpdyFrame, { kind: 'synStream' }>) => {
    write(writer.synReply(f.streamId));
    const h = (n: string) => f.headers[n]?.[0] ?? '';
    const port = Number(h('port'));
    const id = h('requestid') || String(f.streamId);
    let r = requests.get(id);
    if (!r) requests.set(id, (r = { port, pending: [], clientEnded: false, done: false }));
    byStream.set(f.streamId, r);
    if (h('streamtype') === 'error') r.errorStream = f.streamId;
    else if (h('streamtype') === 'data') r.dataStream = f.streamId;
    if (r.errorStream === undefined || r.dataStream === undefined || r.conn || r.done) return;
    if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(r, `invalid port: ${h('port')}`);
    void start(r);
  };

  const handle = (f: SpdyFrame) => {
    switch (f.kind) {
      case 'synStream':
        return onSynStream(f);
      case 'data': {
        const r = byStream.get(f.streamId);
        if (!r || f.streamId !== r.dataStream) return;
        if (f.data.length) {
          if (r.conn) r.conn.write(f.data);
          else r.pending.push(Buffer.from(f.data));
        }
        if (f.flags & flagFin) {
          r.clientEnded = true;
          r.conn?.end();
        }
        return;
      }
      case 'rstStream': {
        const r = byStream.get(f.streamId);
        if (r) {
          r.done = true;
          r.conn?.destroy();
        }
        return;
      }
      case 'ping':
        return write(writer.ping(f.id));
      case 'goAway':
        return void conn.end();
      default:
        return;
    }
  };

  conn.on('close', () => {
    for (const r of requests.values()) r.conn?.destroy();
  });
  readSpdyFrames(conn, head, handle);
}
