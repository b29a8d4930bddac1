#!/usr/bin/env node
// kanzen's Ingress controller, run inside a pod as ingress-nginx's controller is:
// `node dist/ingress/main.js --publish-service kube-system/kanzen-ingress`.
//
// Flags (ingress-nginx's names): --publish-service NAMESPACE/NAME (the LoadBalancer Service
// whose address is written to each Ingress's status), --http-port N (80), --https-port N (443), --host ADDR (0.0.0.0), --metrics-port N (10254:
// /metrics, the Prometheus text of ingress-metrics.ts, and /healthz).
// The API is reached as the DNS server reaches it: KANZEN_API_SOCKET (a unix socket path;
// KANZEN_API_TOKEN is sent as a bearer token when set). HTTPS without a matching TLS Secret
// answers with a self-signed certificate made at start (ingress-nginx's "fake certificate").
// SIGTERM/SIGINT stop the servers and the informers.
import { once } from 'node:events';
import type { Server } from 'node:net';
import { ApiClient } from '../client/api-client.js';
import { InformerFactory } from '../client/informer-factory.js';
import { createLogger } from '../util/logger.js';
import { IngressController } from './ingress-controller.js';
import { defaultCertificate } from './default-certificate.js';
import { IngressProxy } from './ingress-proxy.js';
import { IngressMetrics, ingressMetricsPort } from './ingress-metrics.js';
import { listenHttp } from '../dns/http-endpoint.js';
import { prometheusContentType } from '../node/metrics-server.js';

interface IngressFlags {
  publishService?: { namespace: string; name: string };
  httpPort: number;
  httpsPort: number;
  metricsPort: number;
  host: string;
}

function parseFlags(argv: string[]): IngressFlags {
  const f: IngressFlags = { httpPort: 80, httpsPort: 443, metricsPort: ingressMetricsPort, host: '0.0.0.0' };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].replace(/^--?/, '').split('=', 2);
    const value = () => inline ?? argv[++i] ?? '';
    switch (name) {
      case 'publish-service': {
        const [namespace, svc] = value().split('/', 2);
        if (!namespace || !svc) throw new Error('--publish-service must be NAMESPACE/NAME');
        f.publishService = { namespace, name: svc };
        break;
      }
      case 'http-port':
        f.httpPort = Number(value());
        break;
      case 'https-port':
        f.httpsPort = Number(value());
        break;
      case 'metrics-port':
        f.metricsPort = Number(value());
        break;
      case 'host':
        f.host = value();
        break;
      default:
        throw new Error(`unknown flag: --${name}`);
    }
  }
  return f;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  server.listen(port, host);
  await once(server, 'listening');
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const socketPath = process.env.KANZEN_API_SOCKET;
  if (!socketPath) throw new Error('KANZEN_API_SOCKET is not set');
  if (!flags.publishService) throw new Error('--publish-service is required');
  const logger = createLogger('ingress');
  const client = new ApiClient({ socketPath, token: process.env.KANZEN_API_TOKEN }, 'kanzen-ingress');
  const informers = new InformerFactory(client, logger);
  const metrics = new IngressMetrics();
  const proxy = new IngressProxy({ defaultCertificate: defaultCertificate(), accessLog: (line) => process.stdout.write(`${line}\n`), logger, metrics });
  const controller = new IngressController({ client, informers, proxy, logger, publishService: flags.publishService });
  const http = proxy.createHttpServer();
  const https = proxy.createHttpsServer();
  await listen(http, flags.httpPort, flags.host);
  await listen(https, flags.httpsPort, flags.host);
  const status = await listenHttp(flags.host, flags.metricsPort, {
    '/metrics': (res) => res.writeHead(200, { 'Content-Type': prometheusContentType }).end(metrics.text()),
    '/healthz': (res) => res.end('ok'),
  });
  informers.start();
  controller.start();
  logger.info('serving', { http: flags.httpPort, https: flags.httpsPort });
  const shutdown = () => {
    controller.stop();
    informers.stop();
    client.close();
    void Promise.all([proxy.close(), status.close()]).then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
