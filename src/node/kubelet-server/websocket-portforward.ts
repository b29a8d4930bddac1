// Port-forward over plain WebSocket channels, what client libraries speak (the Python
// client, @kubernetes/client-node): upstream kubelet cri/streaming/portforward/websocket.go
// on apiserver's wsstream. The ports come in the query (`?port=80&port=8080`, or
// comma-separated); for the i-th port channel 2i carries data both ways and channel 2i+1
// errors to the client, and the first message the server sends on each is the port as a
// 2-byte little-endian integer. A port's forward ends when the pod side ends; the session
// ends when every port's has, or when the client goes away. There is no half-close.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeWebsocket } from './websocket-remotecommand.js';
import { forwardError, type PodDialer } from './spdy-portforward.js';

/** The channel protocols of the kubelet's port-forward, best first; "" (none offered) is binary. */
export const websocketPortForwardProtocols = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'] as const;

/** The kubelet's query parameter for the ports (api.PortHeader). */
const portParam = 'port';

/**
 * NewV4Options: the ports of a WebSocket port-forward, or the error text the kubelet
 * answers with 400.
 */
export function parseWebsocketPorts(q: URLSearchParams): { ports: number[] } | { error: string } {
  const values = q.getAll(portParam);
  if (values.length === 0) return { error: `query parameter "${portParam}" is required` };
  const ports: number[] = [];
  for (const v of values) {
    if (v === '') return { error: `query parameter "${portParam}" cannot be empty` };
    for (const p of v.split(',')) {
      // strconv.ParseUint(p, 10, 16): digits only, at most 65535.
      if (!/^[0-9]+$/.test(p)) return { error: `unable to parse "${v}" as a port: strconv.ParseUint: parsing "${p}": invalid syntax` };
      const port = Number(p);
      if (port > 0xffff) return { error: `unable to parse "${v}" as a port: strconv.ParseUint: parsing "${p}": value out of range` };
      if (port < 1) return { error: `port "${v}" must be > 0` };
      ports.push(port);
    }
  }
  return { ports };
}

/** The client's offered protocols, in its order (Sec-WebSocket-Protocol). */
export function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** wsstream's handshake choice: the client's first offered protocol that is supported; "" if it offers none; undefined if none fits. */
export function negotiatePortForwardProtocol(offered: Iterable<string>): string | undefined {
  const list = [...offered];
  if (list.length === 0) return '';
  return list.find((p) => (websocketPortForwardProtocols as readonly string[]).includes(p));
}

/** wsstream's handshake refusal (403) when the client offers protocols but none of ours. */
export function portForwardProtocolError(req: IncomingMessage): string {
  const offered = offeredProtocols(req);
  // Go's %v of a []string; the supported list includes "" (no protocol).
  return `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${['', ...websocketPortForwardProtocols].join(' ')}]`;
}

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  // The client's order decides (wsstream handshake): the first offered that is supported.
  handleProtocols: (offered) => negotiatePortForwardProtocol(offered) || false,
});

/** Completes the WebSocket handshake and serves the session. */
export function acceptWebsocketPortForward(req: IncomingMessage, socket: Duplex, head: Buffer, ports: number[], dial: PodDialer, podDesc: string): void {
  wss.handleUpgrade(req, socket, head, (ws) => serveWebsocketPortForward(ws, socket, ports, dial, podDesc));
}

interface PortStream {
  port: number;
  conn?: Duplex;
  /** Client bytes that came before the pod connection was up. */
  pending: Buffer[];
  done: boolean;
}

function serveWebsocketPortForward(ws: WebSocket, socket: Duplex, ports: number[], dial: PodDialer, podDesc: string): void {
  const base64 = ws.protocol === 'v4.base64.channel.k8s.io';
  const streams: PortStream[] = ports.map((port) => ({ port, pending: [], done: false }));

  const send = (channel: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (base64) ws.send(String.fromCharCode(0x30 + channel) + data.toString('base64'), { binary: false });
    else ws.send(Buffer.concat([Buffer.of(channel), data]), { binary: true });
  };
  /** One port's forward is over; when all are, the connection closes (upstream: conn.Close after run()). */
  const finish = (s: PortStream) => {
    if (s.done) return;
    s.done = true;
    s.conn?.destroy();
    if (streams.every((x) => x.done)) closeWebsocket(ws, socket, 1000);
  };

  const start = async (s: PortStream, i: number) => {
    let conn: Duplex;
    try {
      conn = await dial(s.port);
    } catch (err) {
      send(2 * i + 1, Buffer.from(forwardError(s.port, podDesc, err)));
      return finish(s);
    }
    if (s.done) return void conn.destroy();
    s.conn = conn;
    for (const b of s.pending) conn.write(b);
    s.pending = [];
    // Flow control both ways, so neither a slow client nor a slow pod makes the node buffer
    // the other side's whole output: the pod is read while the client's socket keeps up,
    // and the client is read while the pod's connection does.
    conn.on('data', (c: Buffer) => {
      send(2 * i, c);
      if (socket.writableNeedDrain && !conn.isPaused()) {
        conn.pause();
        socket.once('drain', () => conn.resume());
      }
    });
    // The pod side ending ends the forward: the kubelet's copy loop returns on either direction's end.
    conn.on('end', () => finish(s));
    conn.on('error', () => finish(s));
    conn.on('close', () => finish(s));
  };

  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const msg = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    if (msg.length === 0) return;
    const channel = base64 && !isBinary ? msg[0] - 0x30 : msg[0];
    const data = base64 && !isBinary ? Buffer.from(msg.subarray(1).toString(), 'base64') : msg.subarray(1);
    // Only data channels are read; the error channels and unknown ones are ignored, as wsstream does.
    if (channel < 0 || channel % 2 !== 0 || channel >= 2 * streams.length || data.length === 0) return;
    const s = streams[channel / 2];
    if (s.done) return;
    if (!s.conn) return void s.pending.push(Buffer.from(data));
    const conn = s.conn;
    if (!conn.write(data) && !ws.isPaused) {
      ws.pause();
      const resume = () => {
        conn.off('drain', resume);
        conn.off('close', resume);
        ws.resume();
      };
      conn.on('drain', resume);
      conn.on('close', resume);
    }
  });
  ws.on('close', () => {
    for (const s of streams) {
      s.done = true;
      s.conn?.destroy();
    }
  });
  ws.on('error', () => ws.terminate());

  const portBytes = Buffer.alloc(2);
  streams.forEach((s, i) => {
    portBytes.writeUInt16LE(s.port);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    void start(s, i);
  });
}
