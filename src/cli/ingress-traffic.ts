// `kanzen traffic ingress/NAME [-n NS]`: how an Ingress's requests spread over the endpoints
// of its backends. The Ingress controller counts every request by route and endpoint
// (src/ingress/ingress-metrics.ts); this reads its /metrics from each controller pod through
// the API server's pods/proxy (the API server reaches pod IPs through the node agent, as
// `kubectl get --raw …/pods/NAME:10254/proxy/metrics` does), keeps the samples of this
// Ingress, and prints one row per rule and endpoint, with the pod behind it from the
// backend Service's EndpointSlices.
import type { EndpointSlice, Ingress, Pod } from '../api/types.js';
import { ApiClient, resourceFor } from '../client/api-client.js';
import { isNotFound } from '../api/errors.js';
import { ingressMetricsPort } from '../ingress/ingress-metrics.js';
import { ingressControllerName } from './ingress-addon.js';
import { runningClusterHome } from './cluster-home.js';
import { CliError } from './output.js';
import { endpointOwners, parsePrometheusText, table, type Sample } from './traffic.js';

export interface IngressTrafficRow {
  host: string;
  path: string;
  /** "service:port" as the rule names it. */
  backend: string;
  /** "ip:port"; '' for a rule no request has reached yet. */
  endpoint: string;
  pod: string;
  requests: number;
  /** Requests answered with a 5xx. */
  errors: number;
  /** Percentage of the rule's requests; undefined while it has none. */
  share?: number;
}

export interface IngressTrafficReport {
  namespace: string;
  ingress: string;
  rows: IngressTrafficRow[];
  total: number;
  /** The controller pods whose metrics were read. */
  controllers: string[];
}

/** The rules of an Ingress as (host, path, "service:port"), in spec order; the default backend as host "*", path "". */
function ruleRoutes(ing: Ingress): { host: string; path: string; backend: string }[] {
  const name = (b: { service?: { name: string; port?: { name?: string; number?: number } } }) => (b.service ? `${b.service.name}:${b.service.port?.name || b.service.port?.number}` : '');
  const out = (ing.spec.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => ({ host: r.host ?? '', path: p.path ?? '/', backend: name(p.backend) })));
  if (ing.spec.defaultBackend) out.push({ host: '', path: '', backend: name(ing.spec.defaultBackend) });
  return out;
}

/** Sums the controllers' upstream counters of one Ingress into rows per rule and endpoint. */
export function aggregateIngressTraffic(opts: { ingress: Ingress; scrapes: readonly { pod: string; samples: Sample[] }[]; slices: readonly EndpointSlice[] }): IngressTrafficReport {
  const ns = opts.ingress.metadata.namespace ?? '';
  const name = opts.ingress.metadata.name ?? '';
  const owners = endpointOwners(opts.slices);
  const rows = new Map<string, IngressTrafficRow>();
  const key = (host: string, path: string, backend: string, endpoint: string) => [host, path, backend, endpoint].join('\u0000');
  for (const r of ruleRoutes(opts.ingress)) rows.set(key(r.host, r.path, r.backend, ''), { ...r, endpoint: '', pod: '', requests: 0, errors: 0 });
  for (const scrape of opts.scrapes) {
    for (const s of scrape.samples) {
      const l = s.labels;
      if (s.name !== 'kanzen_ingress_upstream_requests_total' || l.namespace !== ns || l.ingress !== name) continue;
      rows.delete(key(l.host, l.path, l.service, '')); // the rule has traffic: its endpoints stand for it
      const k = key(l.host, l.path, l.service, l.endpoint);
      let row = rows.get(k);
      if (!row) {
        // Slices are labelled by port name; the pod is the same whatever port the rule names.
        const pod = [...owners.entries()].find(([ok]) => ok.endsWith(`\u0000${l.endpoint}`))?.[1].pod ?? '';
        rows.set(k, (row = { host: l.host, path: l.path, backend: l.service, endpoint: l.endpoint, pod, requests: 0, errors: 0 }));
      }
      row.requests += s.value;
      if (l.status === '5xx') row.errors += s.value;
    }
  }
  const list = [...rows.values()];
  const ruleTotals = new Map<string, number>();
  for (const r of list) ruleTotals.set(key(r.host, r.path, r.backend, ''), (ruleTotals.get(key(r.host, r.path, r.backend, '')) ?? 0) + r.requests);
  for (const r of list) {
    const t = ruleTotals.get(key(r.host, r.path, r.backend, '')) ?? 0;
    if (t > 0) r.share = (100 * r.requests) / t;
  }
  list.sort((a, b) => a.host.localeCompare(b.host) || a.path.localeCompare(b.path) || a.backend.localeCompare(b.backend) || (a.pod || '\uffff').localeCompare(b.pod || '\uffff') || a.endpoint.localeCompare(b.endpoint));
  return { namespace: ns, ingress: name, rows: list, total: list.reduce((n, r) => n + r.requests, 0), controllers: opts.scrapes.map((s) => s.pod) };
}

export function renderIngressTraffic(report: IngressTrafficReport): string {
  const header = ['HOST', 'PATH', 'BACKEND', 'ENDPOINT', 'POD', 'REQUESTS', 'SHARE', '5XX'];
  const body = report.rows.map((r) => [r.host || '*', r.path || '<default>', r.backend, r.endpoint || '<none>', r.pod || '<none>', String(r.requests), r.share === undefined ? '-' : `${r.share.toFixed(1)}%`, String(r.errors)]);
  const lines = report.rows.length ? table([header, ...body]) : [`Ingress ${report.namespace}/${report.ingress} has no rules.`];
  const n = report.controllers.length;
  lines.push('', `Ingress ${report.namespace}/${report.ingress}: ${report.total} requests; counted by ${n} controller pod${n === 1 ? '' : 's'} (kube-system/${ingressControllerName})`);
  return lines.join('\n') + '\n';
}

/** Each running controller pod's metrics, through pods/proxy; a pod that does not answer is reported on stderr and left out. */
async function scrapeControllers(client: ApiClient): Promise<{ pod: string; samples: Sample[] }[]> {
  const pods = await client.list<Pod>(resourceFor('pods'), 'kube-system', { labelSelector: `app.kubernetes.io/name=${ingressControllerName}` });
  const running = pods.items.filter((p) => p.status?.phase === 'Running').map((p) => p.metadata.name ?? '');
  const out: { pod: string; samples: Sample[] }[] = [];
  for (const pod of running) {
    const r = await client.transport.request('GET', `/api/v1/namespaces/kube-system/pods/${pod}:${ingressMetricsPort}/proxy/metrics`);
    if (r.status === 200) out.push({ pod, samples: parsePrometheusText(r.body.toString('utf8')) });
    else process.stderr.write(`warning: no metrics from ingress controller pod ${pod}: HTTP ${r.status}\n`);
  }
  return out;
}

export async function ingressTraffic(opts: { name: string; home?: string; ingress: string; namespace: string }): Promise<void> {
  const home = runningClusterHome(opts.name, opts.home);
  const client = new ApiClient({ socketPath: home.socket }, 'kanzen');
  try {
    let ing: Ingress;
    try {
      ing = await client.get<Ingress>(resourceFor('ingresses', 'networking.k8s.io'), opts.namespace, opts.ingress);
    } catch (e) {
      if (isNotFound(e)) throw new CliError(`ingresses.networking.k8s.io "${opts.ingress}" not found in namespace "${opts.namespace}"`);
      throw e;
    }
    const services = new Set(ruleRoutes(ing).map((r) => r.backend.split(':')[0]).filter(Boolean));
    const slices = await Promise.all([...services].map((s) => client.list<EndpointSlice>(resourceFor('endpointslices', 'discovery.k8s.io'), opts.namespace, { labelSelector: `kubernetes.io/service-name=${s}` })));
    const scrapes = await scrapeControllers(client);
    process.stdout.write(renderIngressTraffic(aggregateIngressTraffic({ ingress: ing, scrapes, slices: slices.flatMap((l) => l.items) })));
  } finally {
    client.close();
  }
}
