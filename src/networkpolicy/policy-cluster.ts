// What NetworkPolicy decisions depend on, shrunk from the API objects on arrival (as the
// proxy's trackers and CoreDNS's kubernetes plugin shrink theirs): a pod's namespace,
// labels, IP and named container ports; a namespace's labels; the policies. The model
// (policy-model.ts) and the nftables rule generator (policy-ruleset.ts) both read this.
import type { Namespace, NetworkPolicy, Pod } from '../api/types.js';

/** A container port by name, as a named NetworkPolicy port resolves it (upstream: on the destination pod's containers). */
export interface NamedContainerPort {
  name: string;
  containerPort: number;
  protocol: string;
}

export interface PolicyPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ip: string;
  namedPorts: NamedContainerPort[];
}

export interface PolicyCluster {
  pods: PolicyPod[];
  /** Namespace name → its labels. A pod whose namespace is missing here is in a namespace without labels. */
  namespaceLabels: Map<string, Record<string, string>>;
  policies: NetworkPolicy[];
}

export function podKey(p: Pick<PolicyPod, 'namespace' | 'name'>): string {
  return `${p.namespace}/${p.name}`;
}

/**
 * The pod as policies see it, or undefined when policies do not apply to it: no IP yet,
 * finished (its IP may already be another pod's), or on the host network — its traffic is
 * the node's, which no NetworkPolicy implementation can tell apart (upstream leaves
 * hostNetwork pods undefined; Calico, Cilium and kube-network-policies ignore them).
 */
export function policyPodFromPod(pod: Pod): PolicyPod | undefined {
  const ip = pod.status?.podIP;
  if (!ip || pod.spec.hostNetwork) return undefined;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;
  const namedPorts: NamedContainerPort[] = [];
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name) namedPorts.push({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' });
  }
  return { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', labels: pod.metadata.labels ?? {}, ip, namedPorts };
}

export function namespaceLabelsOf(namespaces: Iterable<Namespace>): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const ns of namespaces) out.set(ns.metadata.name ?? '', ns.metadata.labels ?? {});
  return out;
}
