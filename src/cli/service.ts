// `kanzen service NAME [-n NS] [--url]`: the host-reachable URLs of a Service, as
// `minikube service --url` prints them: LoadBalancer ingress IPs with the Service's ports,
// then NodePorts on 127.0.0.1 (host sockets the node agents accept on).
import type { Service } from '../api/types.js';
import { ApiClient, resourceFor } from '../client/api-client.js';
import { isNotFound } from '../api/errors.js';
import { runningClusterHome } from './cluster-home.js';
import { CliError } from './output.js';

export function serviceURLs(svc: Service): { port: string; url: string }[] {
  const out: { port: string; url: string }[] = [];
  const scheme = (port: number, name?: string) => (port === 443 || name === 'https' ? 'https' : 'http');
  for (const p of svc.spec.ports ?? []) {
    if ((p.protocol ?? 'TCP') !== 'TCP') continue;
    const label = p.name || String(p.port);
    if (svc.spec.type === 'LoadBalancer') {
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
        if (ing.ip) out.push({ port: label, url: `${scheme(p.port, p.name)}://${ing.ip}${p.port === 80 ? '' : `:${p.port}`}` });
      }
    }
    if (p.nodePort && (svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer')) {
      out.push({ port: label, url: `${scheme(p.port, p.name)}://127.0.0.1:${p.nodePort}` });
    }
  }
  return out;
}

export async function service(opts: { name: string; home?: string; service: string; namespace: string; url: boolean }): Promise<void> {
  const home = runningClusterHome(opts.name, opts.home);
  const client = new ApiClient({ socketPath: home.socket }, 'kanzen');
  try {
    let svc: Service;
    try {
      svc = await client.get<Service>(resourceFor('services'), opts.namespace, opts.service);
    } catch (e) {
      if (isNotFound(e)) throw new CliError(`service not available: no service "${opts.service}" in namespace "${opts.namespace}"`);
      throw e;
    }
    const urls = serviceURLs(svc);
    if (!urls.length) {
      if (svc.spec.type === 'LoadBalancer') throw new CliError(`service ${opts.namespace}/${opts.service} has no EXTERNAL-IP yet and no node port`);
      throw new CliError(`service ${opts.namespace}/${opts.service} has no node port: it is of type ${svc.spec.type ?? 'ClusterIP'} (use NodePort or LoadBalancer to reach it from the host)`);
    }
    if (opts.url) {
      for (const u of urls) console.log(u.url);
      return;
    }
    const rows = [['NAMESPACE', 'NAME', 'TARGET PORT', 'URL'], ...urls.map((u) => [opts.namespace, opts.service, u.port, u.url])];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('   ').trimEnd());
  } finally {
    client.close();
  }
}
