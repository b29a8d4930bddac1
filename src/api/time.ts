// Kubernetes' wire form of metav1.Time: RFC 3339 in UTC with whole seconds.
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
