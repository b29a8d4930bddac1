// A small HTTP listener for the health, ready and prometheus plugins ("[HOST]:PORT").
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

export function splitHostPort(addr: string, defaultPort: number): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  if (i < 0) return { host: addr || '0.0.0.0', port: defaultPort };
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port in address ${addr}`);
  return { host: host || '0.0.0.0', port };
}

export async function listenHttp(host: string, port: number, routes: Record<string, (res: http.ServerResponse) => void>): Promise<HttpEndpoint> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    route(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
