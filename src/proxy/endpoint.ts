// The proxy's view of one endpoint of a Service port (upstream pkg/proxy/endpoint.go,
// BaseEndpointInfo), built from EndpointSlices by the endpoints change tracker.
import type { Endpoint } from '../api/types.js';

export interface EndpointInfo {
  /** "ip:port" ("[ip]:port" for IPv6), upstream Endpoint.String(). */
  readonly key: string;
  readonly ip: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
  readonly zone?: string;
  /** hints.forZones names; undefined when the slice carries no hints. */
  readonly zoneHints?: readonly string[];
  /** The pod behind the endpoint, for metrics and logs ("ns/name"). */
  readonly targetRef?: string;
}

export function endpointKey(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * Conditions as upstream's endpointslice cache reads them: a missing `ready` or
 * `serving` means true (older writers did not set them), a missing `terminating` false.
 */
export function endpointInfoFrom(ep: Endpoint, port: number, namespace: string): EndpointInfo {
  const ip = ep.addresses[0];
  const c = ep.conditions ?? {};
  const hints = (ep.hints as { forZones?: { name: string }[] } | undefined)?.forZones;
  return {
    key: endpointKey(ip, port),
    ip,
    port,
    ready: c.ready ?? true,
    serving: c.serving ?? true,
    terminating: c.terminating ?? false,
    nodeName: ep.nodeName,
    zone: ep.zone,
    zoneHints: hints && hints.length ? hints.map((h) => h.name) : undefined,
    targetRef: ep.targetRef?.name ? `${ep.targetRef.namespace ?? namespace}/${ep.targetRef.name}` : undefined,
  };
}

export function endpointInfoEqual(a: EndpointInfo, b: EndpointInfo): boolean {
  return (
    a.key === b.key &&
    a.ready === b.ready &&
    a.serving === b.serving &&
    a.terminating === b.terminating &&
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    a.targetRef === b.targetRef &&
    (a.zoneHints ?? []).join(',') === (b.zoneHints ?? []).join(',')
  );
}

export function endpointListsEqual(a: readonly EndpointInfo[], b: readonly EndpointInfo[]): boolean {
  return a.length === b.length && a.every((e, i) => endpointInfoEqual(e, b[i]));
}
