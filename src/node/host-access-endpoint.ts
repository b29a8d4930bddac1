// The node end of host access: the host's forwarders (in the root network namespace,
// which has only loopback) cannot reach node IPs, so they hand each connection to a node
// agent over a unix socket with a PROXY protocol v1 header naming where the client was
// going. The agent connects to that address inside its node's namespace, where the proxy
// listens on NodePorts and LoadBalancer IPs, and pipes the bytes both ways.
import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from '../util/logger.js';

const maxHeaderBytes = 108; // PROXY v1's limit

export interface ProxyHeader {
  sourceIP: string;
  sourcePort: number;
  destIP: string;
  destPort: number;
}

/** Parses "PROXY TCP4 src dst sport dport\r\n" (PROXY protocol v1). */
export function parseProxyHeader(line: string): ProxyHeader | undefined {
  const m = /^PROXY TCP4 (\d+\.\d+\.\d+\.\d+) (\d+\.\d+\.\d+\.\d+) (\d+) (\d+)$/.exec(line.trim());
  if (!m) return undefined;
  return { sourceIP: m[1], destIP: m[2], sourcePort: Number(m[3]), destPort: Number(m[4]) };
}

export function formatProxyHeader(h: ProxyHeader): string {
  return `PROXY TCP4 ${h.sourceIP} ${h.destIP} ${h.sourcePort} ${h.destPort}\r\n`;
}

export interface HostAccessEndpoint {
  close(): Promise<void>;
}

/**
 * Serves host-forwarded connections on socketPath. `translate` maps the host-side
 * destination to the in-cluster one (127.0.0.1:<nodePort> → <node IP>:<nodePort>).
 */
export function startHostAccessEndpoint(opts: { socketPath: string; translate: (h: ProxyHeader) => { host: string; port: number }; logger: Logger }): Promise<HostAccessEndpoint> {
  fs.rmSync(opts.socketPath, { force: true });
  const server = net.createServer((client) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > maxHeaderBytes) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      const header = parseProxyHeader(buf.subarray(0, nl + 1).toString('latin1'));
      const rest = buf.subarray(nl + 1);
      if (!header) {
        client.destroy();
        return;
      }
      const dest = opts.translate(header);
      const upstream = net.connect({ host: dest.host, port: dest.port });
      upstream.setNoDelay(true);
      upstream.once('connect', () => {
        if (rest.length) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      // A refused or reset backend ends the host client's connection the same way.
      // A unix socket cannot be reset: just close it (the host forwarder resets the TCP client).
      upstream.on("error", () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => {
      fs.chmodSync(opts.socketPath, 0o600);
      opts.logger.info('host access endpoint listening', { socket: opts.socketPath });
      resolve({ close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
