// `kanzen traffic SERVICE [-n NS] [--watch]`: how a Service's connections spread over its
// endpoints. Every node's proxy counts the connections it sends to each endpoint; this
// reads each node's metrics socket (<home>/nodes/<node>/metrics.sock, metrics-server.ts),
// sums the counters per endpoint over the nodes, names the pod behind each endpoint from
// the Service's EndpointSlices, and prints one row per endpoint.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { EndpointSlice, Service } from '../api/types.js';
import { ApiClient, resourceFor } from '../client/api-client.js';
import { isNotFound } from '../api/errors.js';
import { endpointKey } from '../proxy/endpoint.js';
import { runningClusterHome, type ClusterHome } from './cluster-home.js';
import { CliError } from './output.js';

// ---- Prometheus text format (the subset the proxy writes: no timestamps, no exemplars) ----

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

/** The samples of a text exposition (format 0.0.4); comments and malformed lines are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    // name{labels} value [timestamp]
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
    if (!m) continue;
    const value = parseValue(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') continue;
    out.push({ name: m[1], labels: m[2] ? parseLabels(m[2]) : {}, value });
  }
  return out;
}

// ---- aggregation ----

/** One node's proxy metrics. */
export interface NodeScrape {
  node: string;
  samples: Sample[];
}

export interface TrafficRow {
  /** The Service port's name ('' for a single unnamed port). */
  port: string;
  /** "ip:port" of the endpoint, as the proxy labels it. */
  endpoint: string;
  /** The pod behind the endpoint; '' once it left the EndpointSlices (its counters remain while connections do). */
  pod: string;
  /** The node the endpoint runs on (EndpointSlice nodeName). */
  node: string;
  active: number;
  total: number;
  /** Percentage of the Service port's connections; undefined while the port has none. */
  share?: number;
  bytesIn: number;
  bytesOut: number;
}

export interface TrafficReport {
  namespace: string;
  service: string;
  rows: TrafficRow[];
  total: number;
  active: number;
  /** Connections refused because the Service had no endpoint. */
  refused: number;
  /** Connections dropped by a Local traffic policy on a node without local endpoints. */
  dropped: number;
  /** The nodes whose proxies were read. */
  nodes: string[];
}

const endpointFamilies = {
  kanzen_proxy_endpoint_connections_active: 'active',
  kanzen_proxy_endpoint_connections_total: 'total',
  kanzen_proxy_endpoint_received_bytes_total: 'bytesIn',
  kanzen_proxy_endpoint_sent_bytes_total: 'bytesOut',
} as const;

type Counter = (typeof endpointFamilies)[keyof typeof endpointFamilies];

function rowKey(port: string, endpoint: string): string {
  return `${port}\u0000${endpoint}`;
}

/** Pod and node of each endpoint of the Service's slices, by (port name, "ip:port"). */
export function endpointOwners(slices: readonly EndpointSlice[]): Map<string, { pod: string; node: string }> {
  const owners = new Map<string, { pod: string; node: string }>();
  for (const slice of slices) {
    for (const p of slice.ports ?? []) {
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses[0];
        if (!ip || p.port === undefined) continue;
        owners.set(rowKey(p.name ?? '', endpointKey(ip, p.port)), { pod: ep.targetRef?.name ?? '', node: ep.nodeName ?? '' });
      }
    }
  }
  return owners;
}

/**
 * Sums every node's per-endpoint counters of one Service, and lists the endpoints its
 * EndpointSlices hold even before they got a connection. Shares are per Service port.
 */
export function aggregateTraffic(opts: { namespace: string; service: string; scrapes: readonly NodeScrape[]; slices: readonly EndpointSlice[] }): TrafficReport {
  const owners = endpointOwners(opts.slices);
  const rows = new Map<string, TrafficRow>();
  const row = (port: string, endpoint: string): TrafficRow => {
    const key = rowKey(port, endpoint);
    let r = rows.get(key);
    if (!r) {
      const owner = owners.get(key);
      rows.set(key, (r = { port, endpoint, pod: owner?.pod ?? '', node: owner?.node ?? '', active: 0, total: 0, bytesIn: 0, bytesOut: 0 }));
    }
    return r;
  };
  for (const key of owners.keys()) {
    const [port, endpoint] = key.split('\u0000');
    row(port, endpoint);
  }
  let refused = 0;
  let dropped = 0;
  for (const scrape of opts.scrapes) {
    for (const s of scrape.samples) {
      if (s.labels.namespace !== opts.namespace || s.labels.service !== opts.service) continue;
      if (s.name === 'kanzen_proxy_service_refused_connections_total') refused += s.value;
      else if (s.name === 'kanzen_proxy_service_dropped_connections_total') dropped += s.value;
      else if (s.name in endpointFamilies && s.labels.endpoint !== undefined) {
        const field: Counter = endpointFamilies[s.name as keyof typeof endpointFamilies];
        row(s.labels.port ?? '', s.labels.endpoint)[field] += s.value;
      }
    }
  }
  const list = [...rows.values()];
  const portTotals = new Map<string, number>();
  for (const r of list) portTotals.set(r.port, (portTotals.get(r.port) ?? 0) + r.total);
  for (const r of list) {
    const t = portTotals.get(r.port) ?? 0;
    if (t > 0) r.share = (100 * r.total) / t;
  }
  list.sort((a, b) => a.port.localeCompare(b.port) || (a.pod || '\uffff').localeCompare(b.pod || '\uffff') || a.endpoint.localeCompare(b.endpoint));
  return {
    namespace: opts.namespace,
    service: opts.service,
    rows: list,
    total: list.reduce((n, r) => n + r.total, 0),
    active: list.reduce((n, r) => n + r.active, 0),
    refused,
    dropped,
    nodes: opts.scrapes.map((s) => s.node),
  };
}

// ---- rendering ----

/** Bytes as `ls -h`/kubectl quantities read: binary units, one decimal below 10. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v}B` : `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[i]}`;
}

export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('   ').trimEnd());
}

/** The table, then one summary line for the Service. A PORT column appears for multi-port Services. */
export function renderTraffic(report: TrafficReport): string {
  const multiPort = new Set(report.rows.map((r) => r.port)).size > 1;
  const header = [...(multiPort ? ['PORT'] : []), 'ENDPOINT', 'POD', 'NODE', 'ACTIVE', 'TOTAL', 'SHARE', 'BYTES IN', 'BYTES OUT'];
  const lines: string[] = [];
  if (report.rows.length) {
    const body = report.rows.map((r) => [
      ...(multiPort ? [r.port || '<unset>'] : []),
      r.endpoint,
      r.pod || '<none>',
      r.node || '<none>',
      String(r.active),
      String(r.total),
      r.share === undefined ? '-' : `${r.share.toFixed(1)}%`,
      humanBytes(r.bytesIn),
      humanBytes(r.bytesOut),
    ]);
    lines.push(...table([header, ...body]));
  } else {
    lines.push(`No endpoints for service ${report.namespace}/${report.service}.`);
  }
  lines.push('');
  const nodes = report.nodes.length === 1 ? '1 node' : `${report.nodes.length} nodes`;
  lines.push(
    `Service ${report.namespace}/${report.service}: ${report.total} connections (${report.active} active), ${report.refused} refused, ${report.dropped} dropped; counted by the proxies of ${nodes}`,
  );
  return lines.join('\n') + '\n';
}

// ---- reading the cluster ----

function getOverUnixSocket(socketPath: string, urlPath: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: urlPath, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`GET ${urlPath}: HTTP ${res.statusCode}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${urlPath}: timed out`)));
    req.on('error', reject);
  });
}

/** The nodes with a metrics socket in the cluster home, by name. */
export function nodeMetricsSockets(home: ClusterHome): { node: string; socket: string }[] {
  const dir = path.join(home.dir, 'nodes');
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.map((node) => ({ node, socket: path.join(dir, node, 'metrics.sock') })).filter((n) => fs.existsSync(n.socket));
}

/** Every reachable node's metrics; a node that does not answer is reported on stderr and left out. */
export async function scrapeNodes(home: ClusterHome): Promise<NodeScrape[]> {
  const sockets = nodeMetricsSockets(home);
  const results = await Promise.allSettled(sockets.map((s) => getOverUnixSocket(s.socket, '/metrics')));
  const scrapes: NodeScrape[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') scrapes.push({ node: sockets[i].node, samples: parsePrometheusText(r.value) });
    else process.stderr.write(`warning: no metrics from node ${sockets[i].node}: ${(r.reason as Error).message}\n`);
  });
  return scrapes;
}

async function report(client: ApiClient, home: ClusterHome, namespace: string, name: string): Promise<TrafficReport> {
  try {
    await client.get<Service>(resourceFor('services'), namespace, name);
  } catch (e) {
    if (isNotFound(e)) throw new CliError(`services "${name}" not found in namespace "${namespace}"`);
    throw e;
  }
  const [slices, scrapes] = await Promise.all([
    client.list<EndpointSlice>(resourceFor('endpointslices', 'discovery.k8s.io'), namespace, { labelSelector: `kubernetes.io/service-name=${name}` }),
    scrapeNodes(home),
  ]);
  return aggregateTraffic({ namespace, service: name, scrapes, slices: slices.items });
}

export async function traffic(opts: { name: string; home?: string; service: string; namespace: string; watch: boolean; intervalMs?: number }): Promise<void> {
  const home = runningClusterHome(opts.name, opts.home);
  const client = new ApiClient({ socketPath: home.socket }, 'kanzen');
  try {
    if (!opts.watch) {
      process.stdout.write(renderTraffic(await report(client, home, opts.namespace, opts.service)));
      return;
    }
    let stopped = false;
    let wake: () => void = () => undefined;
    const onSignal = () => {
      stopped = true;
      wake();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const tty = process.stdout.isTTY;
      while (!stopped) {
        const text = renderTraffic(await report(client, home, opts.namespace, opts.service));
        const title = `Every ${((opts.intervalMs ?? 1000) / 1000).toFixed(1)}s: kanzen traffic ${opts.service} -n ${opts.namespace}    ${new Date().toISOString()}\n\n`;
        // Redraw in place on a terminal, as watch(1) does; append when piped.
        process.stdout.write(tty ? `\x1b[H\x1b[2J${title}${text}` : `${title}${text}\n`);
        await new Promise<void>((r) => {
          const timer = setTimeout(r, opts.intervalMs ?? 1000);
          wake = () => {
            clearTimeout(timer);
            r();
          };
        });
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    client.close();
  }
}
