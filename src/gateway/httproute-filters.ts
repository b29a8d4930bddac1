// HTTPRoute filters as the spec defines them, pure: RequestHeaderModifier and
// ResponseHeaderModifier (set replaces, add appends with ",", remove deletes; names case
// insensitive) on a header map, and RequestRedirect's Location and status code.
import type { HTTPHeaderFilter, HTTPRequestRedirectFilter, HTTPPathMatch } from './gateway-types.js';

/** Header names lower case, as Node's IncomingMessage.headers has them. */
export type HeaderMap = Record<string, string | string[] | undefined>;

export function modifyHeaders(headers: HeaderMap, f: HTTPHeaderFilter): HeaderMap {
  const out: HeaderMap = { ...headers };
  for (const h of f.set ?? []) out[h.name.toLowerCase()] = h.value;
  for (const h of f.add ?? []) {
    const name = h.name.toLowerCase();
    const cur = out[name];
    out[name] = cur === undefined ? h.value : `${Array.isArray(cur) ? cur.join(',') : cur},${h.value}`;
  }
  for (const name of f.remove ?? []) delete out[name.toLowerCase()];
  return out;
}

export interface RedirectRequest {
  readonly scheme: 'http' | 'https';
  /** The request's host without port. */
  readonly host: string;
  readonly port: number;
  /** Path and query as received. */
  readonly target: string;
}

const defaultPort = { http: 80, https: 443 } as const;

/**
 * The redirect's status (302 unless set) and Location: scheme, hostname, port and path from
 * the filter where set, else the request's; the port is left out when it is the scheme's
 * default (and, with a scheme change and no port given, the new scheme's default is used).
 * ReplacePrefixMatch replaces the matched PathPrefix by element; the query is kept.
 */
export function redirectLocation(f: HTTPRequestRedirectFilter, req: RedirectRequest, matched?: HTTPPathMatch): { status: number; location: string } {
  const scheme = f.scheme ?? req.scheme;
  const port = f.port ?? (f.scheme && f.scheme !== req.scheme ? defaultPort[scheme] : req.port);
  const q = req.target.indexOf('?');
  const path = q < 0 ? req.target : req.target.slice(0, q);
  const query = q < 0 ? '' : req.target.slice(q);
  let newPath = path;
  if (f.path?.type === 'ReplaceFullPath') newPath = f.path.replaceFullPath ?? '/';
  else if (f.path?.type === 'ReplacePrefixMatch') {
    const prefix = (matched?.value ?? '/').replace(/\/$/, '');
    const rest = path.slice(prefix.length);
    const replacement = (f.path.replacePrefixMatch ?? '/').replace(/\/$/, '');
    newPath = `${replacement}${rest}` || '/';
    if (!newPath.startsWith('/')) newPath = `/${newPath}`;
  }
  const hostPort = port === defaultPort[scheme] ? '' : `:${port}`;
  return { status: f.statusCode ?? 302, location: `${scheme}://${f.hostname ?? req.host}${hostPort}${newPath}${query}` };
}
