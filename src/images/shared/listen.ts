// Listening the way a Go server's ":port" does: every address, IPv6 and IPv4 on one
// socket, falling back to IPv4 alone in a network namespace without IPv6.
import dgram from 'node:dgram';
import type { Server } from 'node:net';

const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL']);

/** Binds a UDP socket on `address`, or on every address when none is given. */
export async function bindUDP(port: number, address?: string): Promise<dgram.Socket> {
  const attempt = (type: 'udp4' | 'udp6', addr: string): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const sock = dgram.createSocket(type);
      sock.once('error', (err) => {
        sock.close();
        reject(err);
      });
      sock.bind({ port, address: addr }, () => {
        sock.removeAllListeners('error');
        resolve(sock);
      });
    });
  if (address) return attempt(address.includes(':') ? 'udp6' : 'udp4', address);
  try {
    return await attempt('udp6', '::');
  } catch (err) {
    if (!NO_IPV6.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    return attempt('udp4', '0.0.0.0');
  }
}

/** Starts a TCP server on `host:port`, or on every address when no host is given. */
export async function listenAll(server: Server, port: number, host?: string): Promise<void> {
  const attempt = (h: string): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: h, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  if (host) return attempt(host);
  try {
    await attempt('::');
  } catch (err) {
    if (!NO_IPV6.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    await attempt('0.0.0.0');
  }
}
