// agnhost serve-hostname (test/images/agnhost/serve-hostname/serve_hostname.go): answers
// every HTTP request (default) with the hostname, or with --tcp / --udp (and --http=false)
// writes the hostname to each TCP connection / UDP datagram. On SIGTERM it keeps serving
// for 60s "awaiting pod deletion", as upstream does.
import net from 'node:net';
import os from 'node:os';
import type dgram from 'node:dgram';
import { createGoHttpServer, goLog, goRemoteAddr, goRespond, joinHostPort } from '../shared/go-runtime.js';
import { bindUDP, listenAll } from '../shared/listen.js';

export interface ServeHostnameOptions {
  port: number;
  tcp: boolean;
  udp: boolean;
  http: boolean;
  close: boolean;
  host?: string;
  hostname?: string;
  log?: (msg: string) => void;
}

export interface ServeHostname {
  close(): Promise<void>;
}

export class ServeHostnameError extends Error {}

export async function startServeHostname(opts: ServeHostnameOptions): Promise<ServeHostname> {
  const log = opts.log ?? ((m: string) => goLog(m));
  if (opts.http && (opts.tcp || opts.udp)) {
    throw new ServeHostnameError("Can't server TCP/UDP mode and HTTP mode at the same time");
  }
  const hostname = opts.hostname ?? os.hostname();
  const closers: Array<() => Promise<void>> = [];

  if (opts.tcp) {
    const server = net.createServer((conn) => {
      log(`TCP request from ${joinHostPort(conn.remoteAddress ?? '', conn.remotePort ?? 0)}`);
      conn.end(hostname);
    });
    await listenAll(server, opts.port, opts.host);
    closers.push(() => new Promise((r) => server.close(() => r())));
  }
  if (opts.udp) {
    const sock: dgram.Socket = await bindUDP(opts.port, opts.host);
    sock.on('message', (_msg, rinfo) => {
      log(`UDP request from ${joinHostPort(rinfo.address, rinfo.port)}`);
      sock.send(hostname, rinfo.port, rinfo.address);
    });
    closers.push(() => new Promise((r) => sock.close(() => r())));
  }
  if (opts.http) {
    const server = createGoHttpServer((req, res) => {
      log(`HTTP request from ${goRemoteAddr(req)}`);
      goRespond(res, 200, hostname, opts.close ? { Connection: 'close' } : {});
    });
    await listenAll(server, opts.port, opts.host);
    closers.push(
      () =>
        new Promise((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    );
  }
  log(`Serving on port ${opts.port}.`);
  return { close: async () => void (await Promise.all(closers.map((c) => c()))) };
}
