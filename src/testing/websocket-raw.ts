// A WebSocket client by hand, for what a library client hides: a peer that never answers
// the server's close frame (as a client stuck reading would be).
import { mock } from 'node:test';
import type { Duplex } from 'node:stream';

/** The frames of a server's WebSocket byte stream (unmasked; payloads under 64 KiB). */
export function wsFrames(bytes: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let p = 0;
  while (p + 2 <= bytes.length) {
    let len = bytes[p + 1] & 0x7f;
    let h = 2;
    if (len === 126) {
      len = bytes.readUInt16BE(p + 2);
      h = 4;
    }
    frames.push({ opcode: bytes[p] & 0x0f, payload: bytes.subarray(p + h, p + h + len) });
    p += h + len;
  }
  return frames;
}

/**
 * A WebSocket exec by hand, from a client that never answers the close frame: what the
 * server sent, once it has ended the connection. Timers are frozen meanwhile, so only an
 * end that does not wait for the client (or for ws's 30 s close timeout) can come.
 */
export async function execIgnoringClose(
  connect: () => Duplex,
  requestPath: string,
  extraHeaders = '',
): Promise<{ head: string; frames: { opcode: number; payload: Buffer }[] }> {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const sock = connect();
    sock.write(
      `GET ${requestPath} HTTP/1.1\r\nHost: kubelet\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n${extraHeaders}\r\n`,
    );
    const chunks: Buffer[] = [];
    sock.on('data', (d: Buffer) => chunks.push(d));
    await new Promise<void>((resolve, reject) => {
      sock.on('end', () => resolve());
      sock.on('error', reject);
    });
    sock.end();
    const all = Buffer.concat(chunks);
    const headEnd = all.indexOf('\r\n\r\n');
    return { head: all.subarray(0, headEnd).toString(), frames: wsFrames(all.subarray(headEnd + 4)) };
  } finally {
    mock.timers.reset();
  }
}
