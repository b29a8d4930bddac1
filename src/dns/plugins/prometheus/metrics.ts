// CoreDNS's metric names and labels (plugin/metrics/vars, plugin/cache/metrics.go).
import { Counter, durationBuckets, Gauge, Histogram, sizeBuckets, type Registry } from '../../metrics.js';

export interface DnsMetrics {
  requests: Counter;
  responses: Counter;
  duration: Histogram;
  requestSize: Histogram;
  responseSize: Histogram;
  buildInfo: Gauge;
  pluginEnabled: Gauge;
}

export function dnsMetrics(r: Registry): DnsMetrics {
  return {
    requests: r.register(new Counter('coredns_dns_requests_total', 'Counter of DNS requests made per zone, protocol and family.', ['server', 'zone', 'view', 'proto', 'family', 'type'])),
    responses: r.register(new Counter('coredns_dns_responses_total', 'Counter of response status codes.', ['server', 'zone', 'view', 'rcode', 'plugin'])),
    duration: r.register(new Histogram('coredns_dns_request_duration_seconds', 'Histogram of the time (in seconds) each request took per zone.', ['server', 'zone', 'view', 'type'], durationBuckets)),
    requestSize: r.register(new Histogram('coredns_dns_request_size_bytes', 'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.', ['server', 'zone', 'view', 'proto'], sizeBuckets)),
    responseSize: r.register(new Histogram('coredns_dns_response_size_bytes', 'Size of the returned response in bytes.', ['server', 'zone', 'view', 'proto'], sizeBuckets)),
    buildInfo: r.register(new Gauge('coredns_build_info', 'A metric with a constant \'1\' value labeled by version, revision, and goversion from which CoreDNS was built.', ['version', 'revision', 'goversion'])),
    pluginEnabled: r.register(new Gauge('coredns_plugin_enabled', 'A metric that indicates whether a plugin is enabled on per server and zone basis.', ['server', 'zone', 'view', 'name'])),
  };
}

export interface CacheMetrics {
  hits: Counter;
  misses: Counter;
  entries: Gauge;
}

export function cacheMetrics(r: Registry): CacheMetrics {
  return {
    hits: r.register(new Counter('coredns_cache_hits_total', 'The count of cache hits.', ['server', 'type', 'zones', 'view'])),
    misses: r.register(new Counter('coredns_cache_misses_total', 'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.', ['server', 'zones', 'view'])),
    entries: r.register(new Gauge('coredns_cache_entries', 'The number of elements in the cache.', ['server', 'type', 'zones', 'view'])),
  };
}

/** The type label: the types CoreDNS monitors by name, everything else "other". */
const monitored = new Map<number, string>([
  [1, 'A'], [28, 'AAAA'], [5, 'CNAME'], [2, 'NS'], [12, 'PTR'], [6, 'SOA'], [33, 'SRV'], [16, 'TXT'], [15, 'MX'],
  [255, 'ANY'], [252, 'AXFR'], [251, 'IXFR'], [41, 'OPT'], [65, 'HTTPS'], [64, 'SVCB'], [35, 'NAPTR'], [43, 'DS'], [48, 'DNSKEY'], [46, 'RRSIG'], [47, 'NSEC'], [50, 'NSEC3'], [13, 'HINFO'],
]);
export function typeLabel(t: number): string {
  return monitored.get(t) ?? 'other';
}
