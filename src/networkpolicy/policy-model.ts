// The NetworkPolicy spec as a pure decision: may a connection from a pod (or an address)
// to a pod's port (or an address) be opened? This is the truth every enforcement is
// checked against (policy-ruleset kernel tests, e2e truth tables), as upstream's netpol e2e
// and cyclonus check CNIs against their own model.
//   - a pod is isolated for a direction when some policy selecting it has that policyType;
//   - an isolated pod allows what any of those policies' rules allow (a union);
//   - a pod-to-pod connection needs the source's egress and the destination's ingress;
//   - replies of an allowed connection are allowed (conntrack), so only the opening counts;
//   - a pod reaching itself never leaves its network namespace: always allowed.
import type { NetworkPolicy, NetworkPolicyPeer } from '../api/types.js';
import { ipBlockContains, peerSelectsPod, policySelectsPod } from './peer-selection.js';
import { podKey, type PolicyCluster, type PolicyPod } from './policy-cluster.js';
import { rulePortsAllow } from './policy-ports.js';
import { policyIsolates, type PolicyDirection } from './policy-types.js';

/** One end of a connection: a pod the cluster knows, or a bare address (outside the cluster, a node). */
export type PolicyEndpoint = { pod: PolicyPod } | { ip: string };

export interface PolicyConnection {
  from: PolicyEndpoint;
  to: PolicyEndpoint;
  protocol: string;
  port: number;
}

export interface PolicyVerdict {
  /** The source's egress allows it (true when the source is no pod, or is not isolated for egress). */
  egress: boolean;
  /** The destination's ingress allows it. */
  ingress: boolean;
  allowed: boolean;
}

export function endpointIP(e: PolicyEndpoint): string {
  return 'pod' in e ? e.pod.ip : e.ip;
}

function peerMatches(policy: NetworkPolicy, peer: NetworkPolicyPeer, other: PolicyEndpoint, cluster: PolicyCluster): boolean {
  if (peer.ipBlock) return ipBlockContains(peer.ipBlock, endpointIP(other));
  return 'pod' in other && peerSelectsPod(policy, peer, other.pod, cluster);
}

/** The policies selecting `pod` that isolate it for `direction`. */
export function isolatingPolicies(cluster: PolicyCluster, pod: PolicyPod, direction: PolicyDirection): NetworkPolicy[] {
  return cluster.policies.filter((p) => policyIsolates(p, direction) && policySelectsPod(p, pod));
}

/** Whether `pod`'s policies for `direction` let the connection through; `other` is the far end. */
function directionAllows(cluster: PolicyCluster, pod: PolicyPod, direction: PolicyDirection, other: PolicyEndpoint, c: PolicyConnection): boolean {
  const policies = isolatingPolicies(cluster, pod, direction);
  if (policies.length === 0) return true;
  // Named ports resolve on the destination: the pod itself for ingress, the far end for egress.
  const dst = direction === 'Ingress' ? pod : 'pod' in other ? other.pod : undefined;
  return policies.some((policy) => {
    const rules = direction === 'Ingress' ? (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    return rules.some((r) => {
      if (!rulePortsAllow(r.ports, dst?.namedPorts, c.protocol, c.port)) return false;
      return !r.peers || r.peers.length === 0 || r.peers.some((peer) => peerMatches(policy, peer, other, cluster));
    });
  });
}

export function judgeConnection(cluster: PolicyCluster, c: PolicyConnection): PolicyVerdict {
  if ('pod' in c.from && 'pod' in c.to && podKey(c.from.pod) === podKey(c.to.pod)) return { egress: true, ingress: true, allowed: true };
  const egress = 'pod' in c.from ? directionAllows(cluster, c.from.pod, 'Egress', c.to, c) : true;
  const ingress = 'pod' in c.to ? directionAllows(cluster, c.to.pod, 'Ingress', c.from, c) : true;
  return { egress, ingress, allowed: egress && ingress };
}
