// Which pods and addresses a policy selects and its rules' peers name
// (networking.k8s.io/v1 NetworkPolicySpec.podSelector, NetworkPolicyPeer).
import { cidrContains, parseCIDR } from '../api/ipv4.js';
import { labelSelectorAsRequirements, matchLabels } from '../api/labels.js';
import type { IPBlock, LabelSelector, NetworkPolicy, NetworkPolicyPeer } from '../api/types.js';
import type { PolicyCluster, PolicyPod } from './policy-cluster.js';

function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  // An absent selector inside a peer means "not this criterion"; callers pass {} for "every".
  return matchLabels(labelSelectorAsRequirements(selector ?? {}), labels);
}

/** spec.podSelector: pods of the policy's own namespace only. */
export function policySelectsPod(policy: NetworkPolicy, pod: PolicyPod): boolean {
  return pod.namespace === (policy.metadata.namespace ?? 'default') && selects(policy.spec.podSelector, pod.labels);
}

/**
 * A pod peer: podSelector alone picks pods of the policy's namespace; namespaceSelector
 * alone every pod of the namespaces it picks; both in one peer pick pods matching both (AND).
 * A peer with an ipBlock names no pod by selector (ipBlockContains judges addresses).
 */
export function peerSelectsPod(policy: NetworkPolicy, peer: NetworkPolicyPeer, pod: PolicyPod, cluster: Pick<PolicyCluster, 'namespaceLabels'>): boolean {
  if (peer.ipBlock || (!peer.podSelector && !peer.namespaceSelector)) return false;
  if (peer.namespaceSelector) {
    if (!selects(peer.namespaceSelector, cluster.namespaceLabels.get(pod.namespace) ?? {})) return false;
  } else if (pod.namespace !== (policy.metadata.namespace ?? 'default')) {
    return false;
  }
  return !peer.podSelector || selects(peer.podSelector, pod.labels);
}

/**
 * ipBlock: the CIDR minus its excepts. Upstream leaves open whether pod IPs match an
 * ipBlock; kanzen matches every address, pod IPs included, as Calico, Cilium (with
 * policy-cidr-selects-nodes aside) and kube-network-policies do and as upstream's netpol
 * e2e tests (ipBlock with except around a pod's IP) expect.
 */
export function ipBlockContains(block: IPBlock, ip: string): boolean {
  if (!cidrContains(parseCIDR(block.cidr), ip)) return false;
  return !(block.except ?? []).some((e) => cidrContains(parseCIDR(e), ip));
}
