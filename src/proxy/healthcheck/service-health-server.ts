// Health-check node ports (upstream pkg/proxy/healthcheck/service_health.go): for each
// LoadBalancer Service with externalTrafficPolicy Local, an HTTP server on
// spec.healthCheckNodePort of every node address answers 200 when this node has local
// ready endpoints for it, else 503, so a load balancer only sends traffic to nodes that
// can serve it without a second hop. The response matches kube-proxy's byte for byte
// (Go's net/http adds Date and Content-Length, as Node's http does here).
import http from 'node:http';
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';

export interface ServiceHealthServerOptions {
  /** Addresses to listen on (upstream: the node's --nodeport-addresses). */
  addresses: readonly string[];
  /** Upstream healthzServer.IsHealthy(): the proxy has synced recently. */
  proxyHealthy?: () => boolean;
  logger?: Logger;
}

/** Upstream's body: a dedented, tab-indented JSON document without a final newline. */
export function healthCheckBody(namespace: string, name: string, localEndpoints: number, proxyHealthy: boolean): string {
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(namespace)},`,
    `\t\t"name": ${JSON.stringify(name)}`,
    '\t},',
    `\t"localEndpoints": ${localEndpoints},`,
    `\t"serviceProxyHealthy": ${proxyHealthy}`,
    '}',
  ].join('\n');
}

interface HealthCheckInstance {
  port: number;
  servers: http.Server[];
  endpoints: number;
}

export class ServiceHealthServer {
  private readonly services = new Map<string, HealthCheckInstance>();
  private readonly log: Logger;

  constructor(private readonly opts: ServiceHealthServerOptions) {
    this.log = (opts.logger ?? silentLogger).child('healthcheck');
  }

  /**
   * Sets the Services that need a health check ("ns/name" → port), opening and closing
   * servers as needed. Throws (after opening what it could) when a port cannot be bound.
   */
  async syncServices(wanted: ReadonlyMap<string, number>): Promise<void> {
    for (const [key, inst] of this.services) {
      if (wanted.get(key) === inst.port) continue;
      this.closeInstance(inst);
      this.services.delete(key);
    }
    const errors: string[] = [];
    for (const [key, port] of wanted) {
      if (this.services.has(key)) continue;
      const inst: HealthCheckInstance = { port, servers: [], endpoints: 0 };
      try {
        for (const address of this.opts.addresses) inst.servers.push(await this.listen(key, address, port));
        this.services.set(key, inst);
      } catch (e) {
        this.closeInstance(inst);
        errors.push(`${key} port ${port}: ${(e as Error).message}`);
      }
    }
    if (errors.length) throw new Error(`health check: ${errors.join('; ')}`);
  }

  /** Local ready endpoint counts by Service; Services not listed have 0. */
  syncEndpoints(counts: ReadonlyMap<string, number>): void {
    for (const [key, inst] of this.services) inst.endpoints = counts.get(key) ?? 0;
  }

  /** Updates one Service's count (incremental form of syncEndpoints). */
  setEndpoints(serviceKey: string, count: number): void {
    const inst = this.services.get(serviceKey);
    if (inst) inst.endpoints = count;
  }

  close(): void {
    for (const inst of this.services.values()) this.closeInstance(inst);
    this.services.clear();
  }

  private closeInstance(inst: HealthCheckInstance): void {
    for (const s of inst.servers) {
      s.close();
      s.closeAllConnections?.();
    }
  }

  private listen(key: string, address: string, port: number): Promise<http.Server> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const server = http.createServer((req, res) => {
      const inst = this.services.get(key);
      if (!inst) {
        // Upstream logs "Received request for closed healthcheck" and writes nothing.
        res.end();
        return;
      }
      const healthy = this.opts.proxyHealthy?.() ?? true;
      const body = healthCheckBody(namespace, name, inst.endpoints, healthy);
      res.writeHead(inst.endpoints !== 0 && healthy ? 200 : 503, {
        'Content-Type': 'application/json',
        'X-Content-Type-Options': 'nosniff',
        'X-Load-Balancing-Endpoint-Weight': String(inst.endpoints),
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log.warn('health check server error', { service: key, err }));
        resolve(server);
      });
    });
  }
}
