// Per-route metrics of the Ingress proxy, named after ingress-nginx's
// (nginx_ingress_controller_requests, _request_duration_seconds, _bytes_sent …, here
// kanzen_ingress_*), in the Prometheus text format written by the registry the DNS server uses
// (src/dns/metrics.ts). A route is (namespace, ingress, host, path, service): the rule's host
// and path as the Ingress wrote them, never the request's, so the label values stay bounded.
// Requests answered without a rule have empty route labels. Upstream counters add the endpoint
// ("ip:port") each request went to, which `kanzen traffic ingress/NAME` sums per rule.
import { Counter, Histogram, Registry } from '../dns/metrics.js';
import type { RouteMatch } from './route-table.js';

/** Where the controller serves /metrics and /healthz: ingress-nginx's --metrics-port default. */
export const ingressMetricsPort = 10254;

export interface RouteLabels {
  readonly namespace: string;
  readonly ingress: string;
  readonly host: string;
  readonly path: string;
  /** "service:port" as the backend names it ("web:80", "web:http"). */
  readonly service: string;
}

const noRoute: RouteLabels = { namespace: '', ingress: '', host: '', path: '', service: '' };

/** The labels of the route a request matched (a default backend has no ingress or path; no match has none at all). */
export function routeLabels(m: RouteMatch | undefined): RouteLabels {
  if (!m) return noRoute;
  const slash = (s: string) => s.slice(s.indexOf('/') + 1);
  return { namespace: m.backend.namespace, ingress: m.route ? slash(m.route.ingress) : '', host: m.host ?? '', path: m.route?.path ?? '', service: slash(m.backend.name) };
}

/** Prometheus's default buckets, which ingress-nginx uses for its request durations. */
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const routeLabelNames = ['namespace', 'ingress', 'host', 'path', 'service'] as const;

/** "2xx" … "5xx": the status class ingress-nginx dashboards group by. */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

export class IngressMetrics {
  readonly registry = new Registry();
  readonly requests = this.registry.register(new Counter('kanzen_ingress_requests_total', 'The total number of client requests, by route and status class', [...routeLabelNames, 'status']));
  readonly duration = this.registry.register(new Histogram('kanzen_ingress_request_duration_seconds', 'The request processing time in seconds, from the first byte read to the last byte sent', [...routeLabelNames], durationBuckets));
  readonly bytesSent = this.registry.register(new Counter('kanzen_ingress_bytes_sent_total', 'The number of response body bytes sent to clients', [...routeLabelNames]));
  readonly bytesReceived = this.registry.register(new Counter('kanzen_ingress_request_bytes_total', 'The number of request body bytes received from clients', [...routeLabelNames]));
  readonly upstreamRequests = this.registry.register(
    new Counter('kanzen_ingress_upstream_requests_total', 'Requests sent to each backend endpoint, by route and the status class answered to the client', [...routeLabelNames, 'endpoint', 'status']),
  );

  /** Records one finished request. `endpoint` is undefined when no backend endpoint was tried. */
  observe(route: RouteLabels, r: { status: number; durationSeconds: number; bytesSent: number; bytesReceived: number; endpoint?: string }): void {
    const labels = [route.namespace, route.ingress, route.host, route.path, route.service];
    const cls = statusClass(r.status);
    this.requests.inc([...labels, cls]);
    this.duration.observe(labels, r.durationSeconds);
    this.bytesSent.inc(labels, r.bytesSent);
    this.bytesReceived.inc(labels, r.bytesReceived);
    if (r.endpoint !== undefined) this.upstreamRequests.inc([...labels, r.endpoint, cls]);
  }

  text(): string {
    return this.registry.render();
  }
}
