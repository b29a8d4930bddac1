// The Docker-links style environment variables the kubelet gives every container for the
// Services of its namespace (upstream pkg/kubelet/envvars FromServices and the kubelet's
// getServiceEnvVarMap): only Services with a ClusterIP; the `kubernetes` Service of the
// default namespace always, the pod's own namespace's only while enableServiceLinks is true.
import type { Service } from '../../api/types.js';

/** The services whose variables every pod gets, whatever enableServiceLinks says (upstream masterServices). */
const masterServices = new Set(['kubernetes']);

function isServiceIPSet(s: Service): boolean {
  return !!s.spec.clusterIP && s.spec.clusterIP !== 'None';
}

/** my-svc → MY_SVC */
export function envVarName(s: string): string {
  return s.replaceAll('-', '_').toUpperCase();
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables of a list of services, in upstream's order (FromServices). */
export function fromServices(services: Service[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    if (!isServiceIPSet(svc) || !svc.spec.ports?.length) continue;
    const prefix = envVarName(svc.metadata.name ?? '');
    const ip = svc.spec.clusterIP!;
    out.push([`${prefix}_SERVICE_HOST`, ip]);
    out.push([`${prefix}_SERVICE_PORT`, String(svc.spec.ports[0].port)]);
    for (const p of svc.spec.ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envVarName(p.name)}`, String(p.port)]);
    svc.spec.ports.forEach((p, i) => {
      const protocol = p.protocol || 'TCP';
      const url = `${protocol.toLowerCase()}://${joinHostPort(ip, p.port)}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      out.push([portPrefix, url], [`${portPrefix}_PROTO`, protocol.toLowerCase()], [`${portPrefix}_PORT`, String(p.port)], [`${portPrefix}_ADDR`, ip]);
    });
  }
  return out;
}

/**
 * The service variables of a pod in namespace (upstream getServiceEnvVarMap): services is
 * every Service the node knows (any namespace).
 */
export function serviceEnvVars(services: Service[], namespace: string, enableServiceLinks = true): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const name = svc.metadata.name ?? '';
    if (svc.metadata.namespace === 'default' && masterServices.has(name)) {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (svc.metadata.namespace === namespace && enableServiceLinks) {
      chosen.set(name, svc);
    }
  }
  return new Map(fromServices([...chosen.values()]));
}
