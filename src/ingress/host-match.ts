// Ingress host matching (Ingress spec "Hostname wildcards", conformance host_rules.feature):
// a precise host matches the request's host exactly; "*.foo.com" matches a host with exactly
// one more label (bar.foo.com, not baz.bar.foo.com nor foo.com). DNS names compare without
// case. Pure: no I/O.

/** The host a request names (Host header or SNI): lower case, without port or trailing dot. */
export function normalizeRequestHost(host: string | undefined): string {
  if (!host) return '';
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    // An IPv6 literal: "[::1]:80" → "[::1]".
    const close = h.indexOf(']');
    return close < 0 ? h : h.slice(0, close + 1);
  }
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** For "*.foo.com", "foo.com"; undefined for a precise host. */
export function wildcardSuffix(ruleHost: string): string | undefined {
  return ruleHost.startsWith('*.') ? ruleHost.slice(2).toLowerCase() : undefined;
}

/** The suffix a wildcard rule would need to match this request host: all but its first label. */
export function parentDomain(requestHost: string): string | undefined {
  const dot = requestHost.indexOf('.');
  // A first label must be non-empty ("*." covers exactly one label).
  return dot > 0 ? requestHost.slice(dot + 1) : undefined;
}

export function hostMatches(ruleHost: string, requestHost: string): boolean {
  const h = normalizeRequestHost(requestHost);
  const suffix = wildcardSuffix(ruleHost);
  if (suffix === undefined) return ruleHost.toLowerCase() === h;
  return parentDomain(h) === suffix;
}
