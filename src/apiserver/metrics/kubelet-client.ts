// metrics-server's kubelet client (pkg/scraper/client): GET /metrics/resource from a node's
// kubelet server — here its unix socket in the node's folder — and decode the text.
import http from 'node:http';
import type { NodeResourceUsage } from '../../api/node-resource-usage.js';
import { parseResourceMetrics } from '../../api/resource-metrics-text.js';

/** metrics-server's default --kubelet-request-timeout is 10 s; a node that takes longer is skipped this round. */
const requestTimeoutMs = 10_000;

export function scrapeKubelet(socketPath: string): Promise<NodeResourceUsage> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: '/metrics/resource', timeout: requestTimeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(parseResourceMetrics(body)) : reject(new Error(`request failed, status: ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}
