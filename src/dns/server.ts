// UDP and TCP listeners for one address:port. A query is parsed in one pass (wire.ts),
// handed to the chain, and the answer's prepacked bytes are copied behind the client's
// own header and question: only the flags, counts, TTL countdown and OPT are written per
// query. Malformed packets get FORMERR when their header is readable and are dropped
// otherwise; nothing a client sends can throw out of a socket handler.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../util/logger.js';
import { errorAnswer, isPromise, packedFor, type DnsAnswer, type DnsRequest, type Handler } from './plugin.js';
import { headerOnlyReply, parseQuery, Rcode, WireError, writeReply, type Query } from './wire.js';

export interface DnsServerOptions {
  host: string;
  port: number;
  handler: Handler;
  logger: Logger;
  /** Zone and server labels for metrics (CoreDNS: "." and "dns://:53"). */
  zone?: string;
  serverLabel?: string;
}

/** The largest TCP message (RFC 1035 §4.2.2 two-byte length). */
const maxTcp = 65535;
const tcpIdleMs = 10_000;

export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly conns = new Set<net.Socket>();
  private stopped = false;
  handler: Handler;
  private readonly log: Logger;
  private readonly zone: string;
  private readonly serverLabel: string;

  constructor(private readonly opts: DnsServerOptions) {
    this.handler = opts.handler;
    this.log = opts.logger;
    this.zone = opts.zone ?? '.';
    this.serverLabel = opts.serverLabel ?? `dns://:${opts.port}`;
  }

  /** The bound UDP port (useful with port 0). */
  get port(): number {
    return this.udp?.address().port ?? this.opts.port;
  }

  async start(): Promise<void> {
    // With port 0 the UDP socket picks the port and TCP must take the same one, which another
    // program may hold over TCP only: then both are given up and another port is picked.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.bindPair();
      } catch (e) {
        const retry = this.opts.port === 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 10;
        await new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r()));
        this.udp = undefined;
        this.tcp = undefined;
        if (!retry) throw e;
      }
    }
  }

  /** Binds UDP on the configured port (or any, with 0), then TCP on the same port. */
  private async bindPair(): Promise<void> {
    const family = net.isIPv6(this.opts.host) ? 'udp6' : 'udp4';
    const udp = dgram.createSocket({ type: family, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    this.udp = udp;
    udp.on('message', (msg, rinfo) => this.onUdp(msg, rinfo));
    udp.on('error', (e) => this.log.error('udp socket error', { err: e }));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.opts.port, this.opts.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const tcp = net.createServer((sock) => this.onTcp(sock));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.port, this.opts.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    this.tcp = tcp;
    tcp.on('error', (e) => this.log.error('tcp server error', { err: e }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }

  private onUdp(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const udp = this.udp!;
    this.serve(msg, 'udp', rinfo.family === 'IPv6' ? 2 : 1, (out) => {
      // A reply finishing after stop() has nowhere to go.
      if (this.stopped) return;
      udp.send(out, rinfo.port, rinfo.address);
    });
  }

  private onTcp(sock: net.Socket): void {
    this.conns.add(sock);
    sock.setTimeout(tcpIdleMs, () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let pending = Buffer.alloc(0);
    const family = sock.remoteFamily === 'IPv6' ? 2 : 1;
    sock.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        this.serve(msg, 'tcp', family, (out) => {
          if (sock.destroyed) return;
          const framed = Buffer.allocUnsafe(2 + out.length);
          framed.writeUInt16BE(out.length, 0);
          out.copy(framed, 2);
          sock.write(framed);
        });
      }
    });
  }

  /** Parses, runs the chain and writes; never throws. */
  serve(msg: Buffer, proto: 'udp' | 'tcp', family: 1 | 2, send: (out: Buffer) => void): void {
    let q: Query | null;
    try {
      q = parseQuery(msg);
    } catch (e) {
      if (e instanceof WireError && msg.length >= 12) send(headerOnlyReply(msg, Rcode.FORMERR));
      return;
    }
    if (!q) return;
    if (q.opcode !== 0) {
      send(headerOnlyReply(msg, Rcode.NOTIMP));
      return;
    }
    const req: DnsRequest = {
      q,
      proto,
      family,
      size: msg.length,
      zone: this.zone,
      server: this.serverLabel,
      lookup: (name, type) => this.lookup(name, type),
    };
    const write = (a: DnsAnswer) => {
      try {
        const out = writeReply(msg, q, packedFor(a, q.key), {
          rcode: a.rcode,
          aa: a.aa,
          ra: a.ra,
          maxSize: proto === 'udp' ? Math.max(512, q.edns?.udpSize ?? 512) : maxTcp,
          ttlDelta: req.ttlDelta,
          shuffle: req.shuffle,
        });
        send(out);
      } catch (e) {
        this.log.error('cannot write reply', { err: e instanceof Error ? e.message : String(e), name: q.qname });
        send(headerOnlyReply(msg, Rcode.SERVFAIL));
      }
    };
    let r;
    try {
      r = this.handler.serveDNS(req);
    } catch (e) {
      this.log.error('plugin chain failed', { err: e instanceof Error ? e.stack : String(e) });
      write(errorAnswer(Rcode.SERVFAIL, ''));
      return;
    }
    if (isPromise(r))
      r.then(write, (e: unknown) => {
        this.log.error('plugin chain failed', { err: e instanceof Error ? e.stack : String(e) });
        write(errorAnswer(Rcode.SERVFAIL, ''));
      });
    else write(r);
  }

  /** A query through this server's chain, as CoreDNS's upstream does for CNAME targets. */
  async lookup(name: string, type: number): Promise<DnsAnswer> {
    const qname = name.endsWith('.') ? name : name + '.';
    const q: Query = { id: 0, flags: 0x0100, opcode: 0, qname, key: qname.toLowerCase(), qtype: type, qclass: 1, questionEnd: 0, edns: null };
    const req: DnsRequest = { q, proto: 'udp', family: 1, size: 0, zone: this.zone, server: this.serverLabel, lookup: (n, t) => this.lookup(n, t) };
    return await this.handler.serveDNS(req);
  }
}
