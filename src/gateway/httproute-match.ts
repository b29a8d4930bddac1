// HTTPRoute request matching as the Gateway API spec defines it (apis/v1/httproute_types.go),
// pure: which hostnames a route serves on a listener (their intersection), whether a request
// satisfies an HTTPRouteMatch, the precedence between matches of all routes attached to one
// listener, and the weighted choice among a rule's backendRefs. The proxy is to build one
// sorted match list per listener from these and take the first that a request satisfies.
import type { HTTPRoute, HTTPRouteMatch, HTTPRouteRule } from './gateway-types.js';

/** What of a request the matches read. */
export interface MatchRequest {
  /** Lower case, without the port. */
  readonly host: string;
  /** The path without the query. */
  readonly path: string;
  readonly method: string;
  /** Header names lower case; a repeated header's values joined with ",". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: URLSearchParams;
}

/** Whether hostname (a route's or a request's) is covered by pattern (possibly "*.example.com"). */
function covers(pattern: string, hostname: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === hostname;
  // A wildcard matches one or more labels before its suffix, never the suffix itself.
  return hostname.endsWith(pattern.slice(1)) && hostname.length > pattern.length - 1;
}

/**
 * The hostnames a route serves on a listener (the spec's intersection): with neither
 * restricting, [""] (any host); a route hostname covered by the listener's (or the listener's
 * covered by a route wildcard, which then narrows to the listener's). Empty: the route does
 * not attach to this listener (NoMatchingListenerHostname).
 */
export function intersectHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[] | undefined): string[] {
  const l = listenerHostname?.toLowerCase();
  const routes = (routeHostnames ?? []).map((h) => h.toLowerCase());
  if (!routes.length) return [l ?? ''];
  if (!l) return routes;
  const out = new Set<string>();
  for (const r of routes) {
    if (covers(l, r)) out.add(r);
    else if (covers(r, l)) out.add(l);
  }
  return [...out];
}

/** Path matching: Exact, PathPrefix by path element ("/foo" matches "/foo" and "/foo/bar", not "/foobar"), RegularExpression anchored. */
export function pathMatches(m: HTTPRouteMatch['path'], path: string): boolean {
  const type = m?.type ?? 'PathPrefix';
  const value = m?.value ?? '/';
  if (type === 'Exact') return path === value;
  if (type === 'RegularExpression') return new RegExp(`^(?:${value})$`).test(path);
  const prefix = value.endsWith('/') && value.length > 1 ? value.slice(0, -1) : value;
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}

export function requestMatches(m: HTTPRouteMatch, req: MatchRequest): boolean {
  if (!pathMatches(m.path, req.path)) return false;
  if (m.method && m.method !== req.method) return false;
  for (const h of m.headers ?? []) {
    const got = req.headers[h.name.toLowerCase()];
    if (got === undefined || !((h.type ?? 'Exact') === 'Exact' ? got === h.value : new RegExp(`^(?:${h.value})$`).test(got))) return false;
  }
  for (const q of m.queryParams ?? []) {
    const got = req.query.get(q.name);
    if (got === null || !((q.type ?? 'Exact') === 'Exact' ? got === q.value : new RegExp(`^(?:${q.value})$`).test(got))) return false;
  }
  return true;
}

/** One match of one rule of one route, with what the precedence compares. */
export interface RankedMatch {
  readonly route: HTTPRoute;
  readonly rule: HTTPRouteRule;
  readonly match: HTTPRouteMatch;
  /** The served hostname the match is under ("" for any). */
  readonly hostname: string;
  readonly ruleIndex: number;
  readonly matchIndex: number;
}

const pathRank = (m: HTTPRouteMatch) => ({ Exact: 2, PathPrefix: 1, RegularExpression: 0 })[m.path?.type ?? 'PathPrefix'];
const hostRank = (h: string) => (h === '' ? [0, 0] : h.startsWith('*.') ? [1, h.length] : [2, h.length]);
const routeKey = (r: HTTPRoute) => `${r.metadata.namespace ?? ''}/${r.metadata.name ?? ''}`;

/**
 * The spec's precedence (HTTPRouteRule docs): a precise hostname over a wildcard (the longer
 * wildcard first), then Exact path over the longest PathPrefix over RegularExpression, a method
 * match, the most header matches, the most query param matches; ties go to the oldest route,
 * then namespace/name alphabetically, then rule and match order. Negative when a goes first.
 */
export function compareMatches(a: RankedMatch, b: RankedMatch): number {
  const [ha, hb] = [hostRank(a.hostname), hostRank(b.hostname)];
  if (ha[0] !== hb[0]) return hb[0] - ha[0];
  if (ha[1] !== hb[1]) return hb[1] - ha[1];
  if (pathRank(a.match) !== pathRank(b.match)) return pathRank(b.match) - pathRank(a.match);
  const la = a.match.path?.value?.length ?? 1;
  const lb = b.match.path?.value?.length ?? 1;
  if (la !== lb) return lb - la;
  if (!!a.match.method !== !!b.match.method) return a.match.method ? -1 : 1;
  const headers = (b.match.headers?.length ?? 0) - (a.match.headers?.length ?? 0);
  if (headers) return headers;
  const query = (b.match.queryParams?.length ?? 0) - (a.match.queryParams?.length ?? 0);
  if (query) return query;
  const ta = Date.parse(a.route.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.route.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const [ka, kb] = [routeKey(a.route), routeKey(b.route)];
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.ruleIndex - b.ruleIndex || a.matchIndex - b.matchIndex;
}

/** Every match of the routes under each hostname they serve on a listener, in precedence order. */
export function rankMatches(routes: readonly { route: HTTPRoute; hostnames: readonly string[] }[]): RankedMatch[] {
  const out: RankedMatch[] = [];
  for (const { route, hostnames } of routes)
    for (const hostname of hostnames)
      (route.spec.rules ?? []).forEach((rule, ruleIndex) =>
        (rule.matches?.length ? rule.matches : [{ path: { type: 'PathPrefix' as const, value: '/' } }]).forEach((match, matchIndex) =>
          out.push({ route, rule, match, hostname, ruleIndex, matchIndex }),
        ),
      );
  return out.sort(compareMatches);
}

/** The first ranked match the request satisfies (its hostname covering the request's host). */
export function selectMatch(ranked: readonly RankedMatch[], req: MatchRequest): RankedMatch | undefined {
  return ranked.find((m) => (m.hostname === '' || covers(m.hostname, req.host)) && requestMatches(m.match, req));
}

/**
 * The index of the backendRef a request goes to, chosen with probability weight/sum (weight
 * defaults to 1; 0 never); undefined when every weight is 0 (the spec's 500). random in [0, 1).
 */
export function pickWeighted(weights: readonly (number | undefined)[], random: () => number = Math.random): number | undefined {
  const w = weights.map((x) => Math.max(0, x ?? 1));
  const total = w.reduce((s, x) => s + x, 0);
  if (total === 0) return undefined;
  let r = random() * total;
  for (let i = 0; i < w.length; i++) {
    if (r < w[i]) return i;
    r -= w[i];
  }
  // Rounding at the very top of the range: the last backend with a weight.
  for (let i = w.length - 1; i >= 0; i--) if (w[i] > 0) return i;
  return undefined;
}
