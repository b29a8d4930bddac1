// Host access to NodePorts and LoadBalancer IPs, from the host's root network namespace
// (which has only loopback, ARCHITECTURE.md): 127.0.0.1:<nodePort> for every NodePort (as
// kind's port mappings) and <ingress IP>:<port> for every LoadBalancer ingress IP from the
// loopback pool. Each accepted connection goes to a node agent over its unix socket with a
// PROXY v1 header; the agent connects to the proxy inside its node (host-access-endpoint).
import net from 'node:net';
import type { Service } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import type { InformerFactory } from '../client/informer-factory.js';
import type { Logger } from '../util/logger.js';
import { formatProxyHeader } from '../node/host-access-endpoint.js';

export interface HostForwarderOptions {
  informers: InformerFactory;
  /** The node agents' host-access sockets, tried in turn. */
  nodeSockets: () => string[];
  logger: Logger;
}

interface Listener {
  server: net.Server;
  key: string;
}

/** The host addresses a Service should be reachable on. */
export function hostBindings(svc: Service): { ip: string; port: number }[] {
  const out: { ip: string; port: number }[] = [];
  const type = svc.spec.type;
  if (type !== 'NodePort' && type !== 'LoadBalancer') return out;
  for (const p of svc.spec.ports ?? []) {
    if ((p.protocol ?? 'TCP') !== 'TCP') continue;
    if (p.nodePort) out.push({ ip: '127.0.0.1', port: p.nodePort });
    if (type === 'LoadBalancer') {
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
        if (ing.ip?.startsWith('127.')) out.push({ ip: ing.ip, port: p.port });
      }
    }
  }
  return out;
}

export class HostForwarder {
  private readonly listeners = new Map<string, Listener>();
  private next = 0;

  constructor(private readonly opts: HostForwarderOptions) {}

  start(): void {
    const informer = this.opts.informers.for<Service>(resourceFor('services'));
    const resync = () => this.sync(informer.list());
    informer.addHandlers({ add: resync, update: resync, delete: resync });
  }

  private sync(services: Service[]): void {
    const wanted = new Set<string>();
    for (const svc of services) for (const b of hostBindings(svc)) wanted.add(`${b.ip}:${b.port}`);
    for (const [key, l] of this.listeners) {
      if (!wanted.has(key)) {
        l.server.close();
        this.listeners.delete(key);
      }
    }
    for (const key of wanted) if (!this.listeners.has(key)) this.listen(key);
  }

  private listen(key: string): void {
    const [ip, portText] = key.split(':');
    const port = Number(portText);
    const server = net.createServer((client) => this.forward(client, ip, port));
    server.on('error', (e) => {
      this.opts.logger.warn('host forwarder cannot listen', { address: key, err: e });
      this.listeners.delete(key);
    });
    server.listen(port, ip);
    this.listeners.set(key, { server, key });
  }

  private forward(client: net.Socket, ip: string, port: number): void {
    const sockets = this.opts.nodeSockets();
    if (!sockets.length) {
      client.resetAndDestroy();
      return;
    }
    const socketPath = sockets[this.next++ % sockets.length];
    const upstream = net.connect(socketPath);
    client.setNoDelay(true);
    upstream.write(formatProxyHeader({ sourceIP: client.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1', sourcePort: client.remotePort ?? 0, destIP: ip, destPort: port }));
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on('error', () => client.resetAndDestroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  stop(): void {
    for (const l of this.listeners.values()) l.server.close();
    this.listeners.clear();
  }
}
