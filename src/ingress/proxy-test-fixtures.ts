// Loopback fixtures for the Ingress proxy's tests: listening and closing servers, a
// BackendSource of Services whose endpoints are ports on 127.0.0.1, and a plain GET.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Http2SecureServer } from 'node:http2';
import type { EndpointSlice, Service } from '../api/types.js';
import type { BackendSource } from './backend.js';

export const ns = 'default';

export const listening = (s: http.Server | Http2SecureServer) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
export const closing = (s: http.Server) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });

/** Services "name" (port 80 "http"), each backed by one slice per given endpoint port on 127.0.0.1. */
export function source(services: Record<string, number[]>): BackendSource {
  const svc = (name: string): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  const slices = (name: string): EndpointSlice[] =>
    (services[name] ?? []).map((port, i) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-${i}`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port, protocol: 'TCP' }],
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    }));
  return { service: (n, name) => (n === ns && name in services ? svc(name) : undefined), endpointSlices: (n, name) => (n === ns ? slices(name) : []) };
}

export function get(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { host, ...headers }, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      })
      .on('error', reject);
  });
}

