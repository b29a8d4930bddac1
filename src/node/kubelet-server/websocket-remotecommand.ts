// exec/attach over WebSocket, the channel protocols of
// apimachinery/pkg/util/httpstream/wsstream: every binary message starts with its channel
// (0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize); v5 adds 255 CLOSE ([255, 0]
// half-closes stdin). The base64 variants send text messages: an ASCII channel digit,
// then base64.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RemoteCommandTransport, StreamStatus } from './remotecommand.js';
import type { TerminalSize } from './streaming-runtime.js';
import { endConnection } from '../../util/end-connection.js';

/** Best first: the order in which the server picks among what the client offers. */
export const websocketProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io'] as const;
export type WebsocketProtocol = (typeof websocketProtocols)[number];

const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The best protocol among those the client offers (Sec-WebSocket-Protocol), if any. */
export function negotiateWebsocketProtocol<P extends string = WebsocketProtocol>(req: IncomingMessage, supported: readonly P[] = websocketProtocols as unknown as readonly P[]): P | undefined {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim());
  return supported.find((p) => offered.includes(p));
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => websocketProtocols.find((p) => offered.has(p)) ?? false });

/** Completes the WebSocket handshake and returns the session's transport. */
export function acceptWebsocket(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<RemoteCommandTransport> {
  return new Promise((resolve) => {
    wss.handleUpgrade(req, socket, head, (ws) => resolve(websocketTransport(ws, socket, ws.protocol as WebsocketProtocol)));
  });
}

function websocketTransport(ws: WebSocket, socket: Duplex, protocol: WebsocketProtocol): RemoteCommandTransport {
  const base64 = protocol.includes('base64');
  let stdinHandlers: { data: (c: Buffer) => void; end: () => void } | undefined;
  let resizeHandler: ((s: TerminalSize) => void) | undefined;
  let closedHandler: (() => void) | undefined;
  let stdinClosed = false;
  let done = false;

  const send = (ch: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (base64) ws.send(String.fromCharCode(0x30 + ch) + data.toString('base64'), { binary: false });
    else ws.send(Buffer.concat([Buffer.of(ch), data]), { binary: true });
  };

  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const msg = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    if (msg.length === 0) return;
    let ch: number;
    let data: Buffer;
    if (base64 && !isBinary) {
      ch = msg[0] - 0x30;
      data = Buffer.from(msg.subarray(1).toString(), 'base64');
    } else {
      ch = msg[0];
      data = msg.subarray(1);
    }
    if (ch === channel.stdin) {
      if (!stdinClosed && data.length) stdinHandlers?.data(data);
    } else if (ch === channel.resize) {
      const size = parseResize(data);
      if (size) resizeHandler?.(size);
    } else if (ch === channel.close && protocol === 'v5.channel.k8s.io' && data[0] === channel.stdin && !stdinClosed) {
      stdinClosed = true;
      stdinHandlers?.end();
    }
  });
  ws.on('close', () => {
    if (!done) closedHandler?.();
  });
  ws.on('error', () => ws.terminate());

  return {
    stdout: (c) => send(channel.stdout, c),
    stderr: (c) => send(channel.stderr, c),
    finish(status: StreamStatus) {
      done = true;
      send(channel.error, Buffer.from(JSON.stringify(status)));
      closeWebsocket(ws, socket, 1000);
    },
    onStdin(data, end) {
      stdinHandlers = { data, end };
    },
    onResize(h) {
      resizeHandler = h;
    },
    onClosed(h) {
      closedHandler = h;
    },
  };
}

/**
 * Ends a WebSocket session from the server: the close frame, then at once our end of the
 * TCP connection. ws alone would hold the connection until the peer answers the close
 * frame, or 30 s; upstream (wsstream over x/net/websocket) closes it right after the
 * frame, and clients that wait for the socket to end (the Python client) hang meanwhile.
 */
export function closeWebsocket(ws: WebSocket, socket: Duplex, code: number): void {
  if (ws.readyState === ws.CLOSED) return;
  // Without per-message deflate ws writes the close frame synchronously, so it precedes the FIN.
  ws.close(code);
  endConnection(socket);
}

/** A resize message: JSON {"Width":80,"Height":24} (remotecommand.TerminalSize). */
export function parseResize(data: Buffer): TerminalSize | undefined {
  try {
    const v = JSON.parse(data.toString()) as { Width?: unknown; Height?: unknown };
    if (typeof v.Width === 'number' && typeof v.Height === 'number') return { width: v.Width, height: v.Height };
  } catch {
    // A malformed resize is dropped, as the kubelet's handleResizes does.
  }
  return undefined;
}
