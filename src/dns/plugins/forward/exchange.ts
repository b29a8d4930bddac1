// One query to one upstream: UDP first, TCP when the reply is truncated (or force_tcp).
import dgram from 'node:dgram';
import net from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

export function exchangeUdp(u: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(u.host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    const done = (err: Error | null, msg?: Buffer) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    const timer = setTimeout(() => done(new Error(`read udp ${u.host}:${u.port}: i/o timeout`)), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('message', (msg) => {
      // Ignore stray datagrams: only the reply to our ID counts.
      if (msg.length >= 12 && msg.readUInt16BE(0) === id) done(null, msg);
    });
    sock.send(query, u.port, u.host, (e) => {
      if (e) done(e);
    });
  });
}

export function exchangeTcp(u: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: u.host, port: u.port });
    let buf = Buffer.alloc(0);
    const done = (err: Error | null, msg?: Buffer) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(msg!);
    };
    const timer = setTimeout(() => done(new Error(`read tcp ${u.host}:${u.port}: i/o timeout`)), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('connect', () => {
      const framed = Buffer.alloc(2 + query.length);
      framed.writeUInt16BE(query.length, 0);
      query.copy(framed, 2);
      sock.write(framed);
    });
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(null, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('end', () => done(new Error('connection closed before a reply')));
  });
}

/** UDP, then TCP if the reply has TC set (RFC 7766). */
export async function exchange(u: Upstream, query: Buffer, timeoutMs: number, forceTcp = false): Promise<Buffer> {
  if (!forceTcp) {
    const r = await exchangeUdp(u, query, timeoutMs);
    if (!(r.readUInt16BE(2) & 0x0200)) return r;
  }
  return exchangeTcp(u, query, timeoutMs);
}
