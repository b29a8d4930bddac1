// The route table of the kanzen Ingress controller: every served Ingress (ingress-class.ts)
// merged into host entries with their paths in precedence order, the default backend and the
// TLS certificates by host. Built whole from caches on each sync (pure: no I/O); the proxy
// swaps tables atomically, so a request sees one consistent table.
//
// Merging follows ingress-nginx: Ingresses are taken oldest first (creationTimestamp, then
// namespace/name), and where two define the same host and path with the same type, or the
// same TLS host, the older one wins. A request's host selects one entry — a precise host, else
// a wildcard covering it, else the rules without a host — and only that entry's paths are
// tried. What matches no path goes to the entry's default backend (spec.defaultBackend of the
// oldest Ingress defining that host with one), else to the cluster-wide one (the oldest served
// Ingress's spec.defaultBackend: "if none of the hosts or paths match … routed to your default
// backend"), else gets a 404.
import type { Ingress, IngressBackend, IngressClass } from '../api/types.js';
import { resolveBackend, type BackendSource, type ResolvedBackend } from './backend.js';
import { normalizeRequestHost, parentDomain, wildcardSuffix } from './host-match.js';
import { isServedIngress, kanzenIngressController } from './ingress-class.js';
import { comparePathMatchers, pathMatcher, pathMatches, requestPathOf, type PathMatcher } from './path-match.js';

export interface PathRoute {
  readonly matcher: PathMatcher;
  /** The path as the Ingress wrote it, for logs. */
  readonly path: string;
  readonly pathType: string;
  readonly backend: ResolvedBackend;
  /** "ns/name" of the Ingress the rule comes from. */
  readonly ingress: string;
}

export interface HostRoutes {
  /** The rule's host ("" for rules without one, "*.foo.com" for a wildcard). */
  readonly host: string;
  /** In precedence order: the first that matches is used. */
  readonly paths: readonly PathRoute[];
  readonly defaultBackend?: ResolvedBackend;
}

/** A TLS certificate's Secret, "ns/name". */
export interface TLSRoute {
  readonly secret: string;
  readonly ingress: string;
}

export interface RouteTable {
  readonly exactHosts: ReadonlyMap<string, HostRoutes>;
  /** Keyed by the wildcard's suffix ("foo.com" for "*.foo.com"). */
  readonly wildcardHosts: ReadonlyMap<string, HostRoutes>;
  /** Rules without a host. */
  readonly anyHost?: HostRoutes;
  readonly defaultBackend?: ResolvedBackend;
  /** By host as written in spec.tls[].hosts (lower case; wildcards kept). */
  readonly tls: ReadonlyMap<string, TLSRoute>;
  /** "ns/name" of every Ingress the table serves, oldest first (their status shows the controller's address). */
  readonly ingresses: readonly string[];
}

export interface RouteMatch {
  readonly backend: ResolvedBackend;
  /** The path rule that matched; undefined when the request went to a default backend. */
  readonly route?: PathRoute;
  /** The rule host whose entry served the request ("" for host-less rules; undefined for the cluster-wide default backend), for metrics. */
  readonly host?: string;
}

export interface RouteTableInput {
  readonly ingresses: readonly Ingress[];
  readonly classes: readonly IngressClass[];
  readonly source: BackendSource;
  readonly controller?: string;
}

const keyOf = (ing: Ingress) => `${ing.metadata.namespace ?? ''}/${ing.metadata.name ?? ''}`;

/** Oldest first, then by namespace/name, as ingress-nginx orders Ingresses before merging. */
function compareIngressAge(a: Ingress, b: Ingress): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

interface HostBuilder {
  host: string;
  paths: PathRoute[];
  seen: Set<string>;
  defaultBackend?: ResolvedBackend;
}

export function buildRouteTable(input: RouteTableInput): RouteTable {
  const served = input.ingresses
    .filter((ing) => !ing.metadata.deletionTimestamp && isServedIngress(ing, input.classes, input.controller ?? kanzenIngressController))
    .sort(compareIngressAge);
  const hosts = new Map<string, HostBuilder>();
  const tls = new Map<string, TLSRoute>();
  let defaultBackend: ResolvedBackend | undefined;

  for (const ing of served) {
    const ns = ing.metadata.namespace ?? '';
    const key = keyOf(ing);
    const resolve = (b: IngressBackend) => resolveBackend(ns, b, input.source);
    const ownDefault = ing.spec.defaultBackend ? resolve(ing.spec.defaultBackend) : undefined;
    defaultBackend ??= ownDefault;
    for (const rule of ing.spec.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      let hb = hosts.get(host);
      if (!hb) hosts.set(host, (hb = { host, paths: [], seen: new Set() }));
      hb.defaultBackend ??= ownDefault;
      for (const p of rule.http?.paths ?? []) {
        const matcher = pathMatcher(p.path, p.pathType);
        const id = `${matcher.type} ${matcher.type === 'Exact' ? matcher.path : matcher.path + '/'}`;
        if (hb.seen.has(id)) continue; // an older Ingress (or an earlier rule) has this path
        hb.seen.add(id);
        hb.paths.push({ matcher, path: p.path ?? '/', pathType: p.pathType, backend: resolve(p.backend), ingress: key });
      }
    }
    for (const t of ing.spec.tls ?? []) {
      if (!t.secretName) continue; // no certificate: nothing to terminate with
      for (const h of t.hosts ?? []) {
        const host = h.toLowerCase();
        if (!tls.has(host)) tls.set(host, { secret: `${ns}/${t.secretName}`, ingress: key });
      }
    }
  }

  const exactHosts = new Map<string, HostRoutes>();
  const wildcardHosts = new Map<string, HostRoutes>();
  let anyHost: HostRoutes | undefined;
  for (const hb of hosts.values()) {
    // Array.prototype.sort is stable: equal-rank paths keep oldest-Ingress-first order.
    const entry: HostRoutes = { host: hb.host, paths: hb.paths.sort((a, b) => comparePathMatchers(a.matcher, b.matcher)), defaultBackend: hb.defaultBackend };
    const suffix = wildcardSuffix(hb.host);
    if (hb.host === '') anyHost = entry;
    else if (suffix !== undefined) wildcardHosts.set(suffix, entry);
    else exactHosts.set(hb.host, entry);
  }
  return { exactHosts, wildcardHosts, anyHost, defaultBackend, tls, ingresses: served.map(keyOf) };
}

/** The host entry a request's host selects: precise, else wildcard, else the host-less rules. */
export function hostRoutesFor(table: RouteTable, requestHost: string | undefined): HostRoutes | undefined {
  const host = normalizeRequestHost(requestHost);
  const exact = table.exactHosts.get(host);
  if (exact) return exact;
  const parent = parentDomain(host);
  const wildcard = parent === undefined ? undefined : table.wildcardHosts.get(parent);
  return wildcard ?? table.anyHost;
}

/** Where a request goes; undefined means 404. */
export function routeRequest(table: RouteTable, requestHost: string | undefined, target: string): RouteMatch | undefined {
  const entry = hostRoutesFor(table, requestHost);
  if (entry) {
    const path = requestPathOf(target);
    for (const route of entry.paths) if (pathMatches(route.matcher, path)) return { backend: route.backend, route, host: entry.host };
    if (entry.defaultBackend) return { backend: entry.defaultBackend, host: entry.host };
  }
  return table.defaultBackend ? { backend: table.defaultBackend } : undefined;
}

/** The certificate Secret ("ns/name") for a TLS server name: a precise host, else a wildcard covering it. */
export function tlsSecretFor(table: RouteTable, serverName: string | undefined): TLSRoute | undefined {
  const host = normalizeRequestHost(serverName);
  const exact = table.tls.get(host);
  if (exact) return exact;
  const parent = parentDomain(host);
  return parent === undefined ? undefined : table.tls.get(`*.${parent}`);
}
