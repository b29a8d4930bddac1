// Ordering of resourceVersions. Kubernetes clients must treat them as opaque; kanzen owns
// its store, whose resourceVersion is one cluster-wide revision counter (decimal, as
// etcd's), so "applied everything up to revision N" is a meaningful statement here. The
// zero-loss termination protocol (node/proxy-sync-reporter.ts, node/endpoint-drain.ts)
// relies on it; nothing Kubernetes-facing does.

/** a ≥ b as revisions; '' (nothing yet) is below every revision. */
export function resourceVersionAtLeast(a: string | undefined, b: string | undefined): boolean {
  return compareResourceVersions(a, b) >= 0;
}

/** The later of two revisions. */
export function maxResourceVersion(a: string | undefined, b: string | undefined): string {
  return compareResourceVersions(a, b) >= 0 ? (a ?? '') : (b ?? '');
}

/** Numeric comparison of decimal revisions without BigInt: longer is larger, then lexicographic. */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number {
  const x = normalize(a);
  const y = normalize(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function normalize(rv: string | undefined): string {
  if (!rv || !/^\d+$/.test(rv)) return '';
  return rv.replace(/^0+(?=\d)/, '');
}
