// networking.k8s.io/v1 defaults (pkg/apis/networking/v1/defaults.go), plus the zero values Go
// writes for non-pointer fields a client left out (spec.podSelector, an Ingress's spec).
// An Ingress path's pathType has no default in v1 (only v1beta1 defaulted it): validation
// requires it.
import type { Ingress, IngressClass, NetworkPolicy, NetworkPolicyPort } from '../types.js';

/** SetDefaults_NetworkPolicyPort: TCP unless said otherwise. */
function defaultNetworkPolicyPort(port: NetworkPolicyPort): void {
  port.protocol ??= 'TCP';
}

/**
 * SetDefaults_NetworkPolicy: a policy that names no policyTypes affects ingress, and egress too
 * when it has egress rules.
 */
export function defaultNetworkPolicy(np: NetworkPolicy): void {
  np.spec ??= { podSelector: {} };
  np.spec.podSelector ??= {};
  for (const rule of [...(np.spec.ingress ?? []), ...(np.spec.egress ?? [])]) rule.ports?.forEach(defaultNetworkPolicyPort);
  if ((np.spec.policyTypes ?? []).length === 0) {
    np.spec.policyTypes = (np.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

/** SetDefaults_IngressClass: parameters without a scope refer to a cluster-scoped resource. */
export function defaultIngressClass(ic: IngressClass): void {
  ic.spec ??= {};
  if (ic.spec.parameters) ic.spec.parameters.scope ??= 'Cluster';
}

export function defaultIngress(ing: Ingress): void {
  ing.spec ??= {};
}
