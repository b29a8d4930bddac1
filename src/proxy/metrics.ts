// Proxy metrics: per Service port and per endpoint connection/byte counters (kanzen's
// own, plain fields bumped on the data path with no allocation), and kube-proxy's sync
// histograms under their upstream names (pkg/proxy/metrics/metrics.go). Exposed as a
// snapshot object and as Prometheus text, written by hand.

/** Counters of one endpoint of one Service port. bytesIn = client → endpoint. */
export class EndpointStats {
  activeConnections = 0;
  totalConnections = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Connects to this endpoint that failed (refused, reset, unreachable); the connection went on to another endpoint or was reset. */
  failedConnects = 0;
  constructor(readonly endpoint: string) {}
}

/**
 * Counters of one Service port. `dropped` = traffic black-holed by a Local traffic policy;
 * `failed` = connections reset because no endpoint could be reached (every eligible one
 * failed its connect) or the proxy could not open a socket to one.
 */
export class ServicePortStats {
  activeConnections = 0;
  totalConnections = 0;
  bytesIn = 0;
  bytesOut = 0;
  refusedConnections = 0;
  droppedConnections = 0;
  failedConnections = 0;
  constructor(
    readonly namespace: string,
    readonly service: string,
    readonly port: string,
    readonly protocol: string,
  ) {}
}

/** A Prometheus histogram with fixed buckets (upper bounds, seconds). */
export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) this.counts[i]++;
  }
}

function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}
function linearBuckets(start: number, width: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + width * i);
}

/** Upstream SyncProxyRulesLatency buckets: ExponentialBuckets(0.001, 2, 15). */
export const syncDurationBuckets = exponentialBuckets(0.001, 2, 15);
/** Upstream NetworkProgrammingLatency buckets. */
export const networkProgrammingBuckets = [
  ...linearBuckets(0.25, 0.25, 2),
  ...linearBuckets(1, 1, 59),
  ...linearBuckets(60, 5, 12),
  ...linearBuckets(120, 30, 7),
];

export class SyncMetrics {
  readonly syncDuration = new Histogram(syncDurationBuckets);
  readonly fullSyncDuration = new Histogram(syncDurationBuckets);
  readonly partialSyncDuration = new Histogram(syncDurationBuckets);
  readonly networkProgramming = new Histogram(networkProgrammingBuckets);
  lastSyncTimestampSeconds = 0;
  serviceChanges = 0;
  endpointChanges = 0;
  syncFailures = 0;
}

export interface EndpointMetricsSnapshot {
  endpoint: string;
  activeConnections: number;
  totalConnections: number;
  bytesIn: number;
  bytesOut: number;
  failedConnects: number;
}

export interface ServicePortMetricsSnapshot {
  namespace: string;
  service: string;
  port: string;
  protocol: string;
  activeConnections: number;
  totalConnections: number;
  bytesIn: number;
  bytesOut: number;
  refusedConnections: number;
  droppedConnections: number;
  failedConnections: number;
  endpoints: EndpointMetricsSnapshot[];
}

export interface HistogramSnapshot {
  count: number;
  sum: number;
}

export interface ProxyMetricsSnapshot {
  servicePorts: ServicePortMetricsSnapshot[];
  /** Client connections refused for a local reason (socket-errors.ts), by errno code. */
  acceptErrors: Record<string, number>;
  sync: {
    duration: HistogramSnapshot;
    networkProgramming: HistogramSnapshot;
    lastSyncTimestampSeconds: number;
    serviceChanges: number;
    endpointChanges: number;
    syncFailures: number;
  };
}

export interface StatsSource {
  stats: ServicePortStats;
  endpointStats(): Iterable<EndpointStats>;
}

export function snapshotMetrics(sources: Iterable<StatsSource>, sync: SyncMetrics, acceptErrors: ReadonlyMap<string, number> = new Map()): ProxyMetricsSnapshot {
  const servicePorts: ServicePortMetricsSnapshot[] = [];
  for (const src of sources) {
    const s = src.stats;
    servicePorts.push({
      namespace: s.namespace,
      service: s.service,
      port: s.port,
      protocol: s.protocol,
      activeConnections: s.activeConnections,
      totalConnections: s.totalConnections,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      refusedConnections: s.refusedConnections,
      droppedConnections: s.droppedConnections,
      failedConnections: s.failedConnections,
      endpoints: [...src.endpointStats()].map((e) => ({
        endpoint: e.endpoint,
        activeConnections: e.activeConnections,
        totalConnections: e.totalConnections,
        bytesIn: e.bytesIn,
        bytesOut: e.bytesOut,
        failedConnects: e.failedConnects,
      })),
    });
  }
  return {
    servicePorts,
    acceptErrors: Object.fromEntries(acceptErrors),
    sync: {
      duration: { count: sync.syncDuration.count, sum: sync.syncDuration.sum },
      networkProgramming: { count: sync.networkProgramming.count, sum: sync.networkProgramming.sum },
      lastSyncTimestampSeconds: sync.lastSyncTimestampSeconds,
      serviceChanges: sync.serviceChanges,
      endpointChanges: sync.endpointChanges,
      syncFailures: sync.syncFailures,
    },
  };
}

// ---- Prometheus text exposition format 0.0.4 ----

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function fmt(v: number): string {
  if (v === Infinity) return '+Inf';
  return String(v);
}

class Exposition {
  private readonly lines: string[] = [];
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, l: Record<string, string>, v: number): this {
    this.lines.push(`${name}${labels(l)} ${fmt(v)}`);
    return this;
  }
  histogram(name: string, h: Histogram): this {
    h.buckets.forEach((b, i) => this.sample(`${name}_bucket`, { le: fmt(b) }, h.counts[i]));
    this.sample(`${name}_bucket`, { le: '+Inf' }, h.count);
    this.sample(`${name}_sum`, {}, h.sum);
    this.sample(`${name}_count`, {}, h.count);
    return this;
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

export function prometheusText(snapshot: ProxyMetricsSnapshot, sync: SyncMetrics): string {
  const e = new Exposition();
  e.family('kubeproxy_sync_proxy_rules_duration_seconds', 'histogram', 'SyncProxyRules latency in seconds').histogram('kubeproxy_sync_proxy_rules_duration_seconds', sync.syncDuration);
  e.family('kubeproxy_sync_full_proxy_rules_duration_seconds', 'histogram', 'SyncProxyRules latency in seconds for full resyncs').histogram('kubeproxy_sync_full_proxy_rules_duration_seconds', sync.fullSyncDuration);
  e.family('kubeproxy_sync_partial_proxy_rules_duration_seconds', 'histogram', 'SyncProxyRules latency in seconds for partial resyncs').histogram('kubeproxy_sync_partial_proxy_rules_duration_seconds', sync.partialSyncDuration);
  e.family('kubeproxy_network_programming_duration_seconds', 'histogram', 'In Cluster Network Programming Latency in seconds').histogram('kubeproxy_network_programming_duration_seconds', sync.networkProgramming);
  e.family('kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'gauge', 'The last time proxy rules were successfully synced').sample('kubeproxy_sync_proxy_rules_last_timestamp_seconds', {}, sync.lastSyncTimestampSeconds);
  e.family('kubeproxy_sync_proxy_rules_service_changes_total', 'counter', 'Cumulative proxy rules Service changes').sample('kubeproxy_sync_proxy_rules_service_changes_total', {}, sync.serviceChanges);
  e.family('kubeproxy_sync_proxy_rules_endpoint_changes_total', 'counter', 'Cumulative proxy rules Endpoint changes').sample('kubeproxy_sync_proxy_rules_endpoint_changes_total', {}, sync.endpointChanges);
  e.family('kanzen_proxy_sync_failures_total', 'counter', 'Syncs of the proxy data plane that failed and will be retried').sample('kanzen_proxy_sync_failures_total', {}, sync.syncFailures);
  e.family('kanzen_proxy_accept_errors_total', 'counter', 'Client connections refused for a local reason (EMFILE: the open-file limit), by errno');
  for (const [reason, n] of Object.entries(snapshot.acceptErrors)) e.sample('kanzen_proxy_accept_errors_total', { reason }, n);

  const svcFamilies: [string, 'counter' | 'gauge', string, (s: ServicePortMetricsSnapshot) => number][] = [
    ['kanzen_proxy_service_connections_active', 'gauge', 'Open connections (UDP: flows) through a Service port', (s) => s.activeConnections],
    ['kanzen_proxy_service_connections_total', 'counter', 'Connections (UDP: flows) forwarded through a Service port', (s) => s.totalConnections],
    ['kanzen_proxy_service_refused_connections_total', 'counter', 'Connections refused because a Service port had no endpoints', (s) => s.refusedConnections],
    ['kanzen_proxy_service_dropped_connections_total', 'counter', 'Connections dropped by a Local traffic policy on a node without local endpoints', (s) => s.droppedConnections],
    ['kanzen_proxy_service_failed_connections_total', 'counter', 'Connections reset because no endpoint of a Service port could be connected to', (s) => s.failedConnections],
    ['kanzen_proxy_service_received_bytes_total', 'counter', 'Bytes from clients to a Service port', (s) => s.bytesIn],
    ['kanzen_proxy_service_sent_bytes_total', 'counter', 'Bytes from a Service port back to clients', (s) => s.bytesOut],
  ];
  for (const [name, type, help, get] of svcFamilies) {
    e.family(name, type, help);
    for (const s of snapshot.servicePorts) e.sample(name, { namespace: s.namespace, service: s.service, port: s.port, protocol: s.protocol }, get(s));
  }
  const epFamilies: [string, 'counter' | 'gauge', string, (s: EndpointMetricsSnapshot) => number][] = [
    ['kanzen_proxy_endpoint_connections_active', 'gauge', 'Open connections (UDP: flows) to an endpoint', (s) => s.activeConnections],
    ['kanzen_proxy_endpoint_connections_total', 'counter', 'Connections (UDP: flows) sent to an endpoint', (s) => s.totalConnections],
    ['kanzen_proxy_endpoint_received_bytes_total', 'counter', 'Bytes forwarded from clients to an endpoint', (s) => s.bytesIn],
    ['kanzen_proxy_endpoint_sent_bytes_total', 'counter', 'Bytes forwarded from an endpoint to clients', (s) => s.bytesOut],
    ['kanzen_proxy_endpoint_connect_failures_total', 'counter', 'Connects to an endpoint that failed (refused, reset, unreachable); the connection was tried on another endpoint', (s) => s.failedConnects],
  ];
  for (const [name, type, help, get] of epFamilies) {
    e.family(name, type, help);
    for (const s of snapshot.servicePorts) {
      for (const ep of s.endpoints) e.sample(name, { namespace: s.namespace, service: s.service, port: s.port, endpoint: ep.endpoint }, get(ep));
    }
  }
  return e.text();
}
