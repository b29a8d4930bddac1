// Which directions a policy isolates (spec.policyTypes), defaulted as the API server
// defaults it (SetDefaults_NetworkPolicy): policies built by hand in tests, or stored by an
// older server, read the same as served ones.
import type { NetworkPolicy } from '../api/types.js';

export type PolicyDirection = 'Ingress' | 'Egress';

export function policyIsolates(policy: NetworkPolicy, direction: PolicyDirection): boolean {
  const types = policy.spec.policyTypes ?? [];
  if (types.length > 0) return types.includes(direction);
  return direction === 'Ingress' || (policy.spec.egress ?? []).length > 0;
}
