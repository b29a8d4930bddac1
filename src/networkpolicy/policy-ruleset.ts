// The nftables table enforcing NetworkPolicy in one node's network namespace, rendered
// from the cluster (policy-cluster.ts) as one transaction that replaces the table in
// place: a packet meets the old rules or the new, never none, so a restarted or resyncing
// agent opens no window in which an isolated pod is reachable.
//
// Pods route every packet through their node (pod-sandbox.ts: noprefixroute, default via
// the pod bridge), even to a pod of the same node, so the ip family's hooks of the node
// namespace see all pod traffic although bridge netfilter is off there:
//   forward  pod ⇄ pod (either node), pod ⇄ outside; after the nftables proxy's DNAT in
//            prerouting, so Service traffic is judged on the real endpoint;
//   output   the node's own connections: always allowed into pods (upstream: a pod cannot
//            block its node; kubelet probes), except the userspace proxy's legs that carry
//            a client pod's address (client-ip-policy.ts) — those are the pod's traffic;
//   input    a pod's packets to the node itself: the pod's egress, except to ClusterIPs,
//            which the userspace proxy forwards and which are judged on its leg.
// Verdict maps send a local pod's packets to its own chains: egress-<pod> returns when a
// rule allows (then ingress is judged) and drops at its end; ingress-<pod> accepts or drops.
// Established and related packets are accepted first: replies, and connections opened
// before a policy changed (as conntrack-based CNIs keep them).
import type { NetworkPolicyPeer, NetworkPolicyPort } from '../api/types.js';
import { addressInterval, intervalElements, ipBlockIntervals, normalizeIntervals, type AddressInterval } from './address-intervals.js';
import { peerSelectsPod, ipBlockContains } from './peer-selection.js';
import type { PolicyCluster, PolicyPod } from './policy-cluster.js';
import { isolatingPolicies } from './policy-model.js';
import { resolvePolicyPort, type PortRange } from './policy-ports.js';
import type { PolicyDirection } from './policy-types.js';
import type { NetworkPolicy } from '../api/types.js';

/** The policy table of a cluster in a node namespace (one per node namespace; it goes with the namespace). */
export function policyTableName(cluster: string): string {
  return `kanzen-${cluster}-policy`;
}

export interface PolicyRulesetOptions {
  table: string;
  /** The pods of this node: only they get chains. */
  localPods: readonly PolicyPod[];
  /** ClusterIP ranges: a pod's packets to them are the userspace proxy's to forward (judged on its leg). */
  serviceCIDRs: readonly string[];
}

export const ingressMap = 'pod-ingress';
export const egressMap = 'pod-egress';
/** "<ip> . <ip>" per local pod: a pod reaching itself through its Service (hairpin) is always allowed. */
export const selfSet = 'pod-self';

const l4proto: Record<string, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };

function chainName(direction: PolicyDirection, pod: PolicyPod): string {
  return `${direction === 'Ingress' ? 'ingress' : 'egress'}-${pod.ip.replaceAll('.', '-')}`;
}

function portMatch(range: PortRange): string | undefined {
  const proto = l4proto[range.protocol];
  if (!proto) return undefined;
  if (range.first === undefined) return `meta l4proto ${proto}`;
  const ports = range.last !== undefined && range.last !== range.first ? `${range.first}-${range.last}` : `${range.first}`;
  return `meta l4proto ${proto} th dport ${ports}`;
}

/**
 * Renders the pods' chains of one sync. A rule's peers do not depend on the pod judged, so
 * their addresses are computed once per rule and kept in named interval sets shared by
 * every chain that names the same addresses (`peers-<n>`): a policy selecting a hundred
 * pods writes its peer list once, not a hundred times.
 */
export class PodChainRenderer {
  private readonly intervalsByPeers = new Map<readonly NetworkPolicyPeer[], AddressInterval[]>();
  private readonly podsByPeers = new Map<readonly NetworkPolicyPeer[], PolicyPod[]>();
  /** Set elements ("a, b-c") → set name. */
  readonly sets = new Map<string, string>();

  constructor(private readonly cluster: PolicyCluster) {}

  /** The addresses a rule's peers name; undefined for "every address" (no peers). */
  private peerIntervals(policy: NetworkPolicy, peers: readonly NetworkPolicyPeer[] | undefined): AddressInterval[] | undefined {
    if (!peers || peers.length === 0) return undefined;
    let out = this.intervalsByPeers.get(peers);
    if (out) return out;
    const all: AddressInterval[] = [];
    for (const peer of peers) {
      if (peer.ipBlock) all.push(...ipBlockIntervals(peer.ipBlock));
      else for (const pod of this.cluster.pods) if (peerSelectsPod(policy, peer, pod, this.cluster)) all.push(...[addressInterval(pod.ip)].filter((i) => i !== undefined));
    }
    out = normalizeIntervals(all);
    this.intervalsByPeers.set(peers, out);
    return out;
  }

  /** The pods a rule's peers name (pods matched by selector, or whose IP an ipBlock holds): the destinations a named egress port resolves on. */
  private peerPods(policy: NetworkPolicy, peers: readonly NetworkPolicyPeer[] | undefined): PolicyPod[] {
    if (!peers || peers.length === 0) return this.cluster.pods;
    let out = this.podsByPeers.get(peers);
    if (!out) {
      out = this.cluster.pods.filter((pod) => peers.some((peer) => (peer.ipBlock ? ipBlockContains(peer.ipBlock, pod.ip) : peerSelectsPod(policy, peer, pod, this.cluster))));
      this.podsByPeers.set(peers, out);
    }
    return out;
  }

  /** "" for every address, undefined for none, else a match on the addresses' shared set. */
  private addressMatch(field: 'saddr' | 'daddr', intervals: AddressInterval[] | undefined): string | undefined {
    if (intervals === undefined) return '';
    if (intervals.length === 0) return undefined;
    const elements = intervalElements(intervals).join(', ');
    let name = this.sets.get(elements);
    if (!name) this.sets.set(elements, (name = `peers-${this.sets.size}`));
    return `ip ${field} @${name}`;
  }

  /** Rules of one policy rule, each ending in `verdict`; none when it can match nothing. */
  private ruleStatements(policy: NetworkPolicy, direction: PolicyDirection, pod: PolicyPod, peers: NetworkPolicyPeer[] | undefined, ports: NetworkPolicyPort[] | undefined, verdict: string): string[] {
    const address = this.addressMatch(direction === 'Ingress' ? 'saddr' : 'daddr', this.peerIntervals(policy, peers));
    if (address === undefined) return [];
    if (!ports || ports.length === 0) return [joinMatches(address, verdict)];
    const out: string[] = [];
    for (const port of ports) {
      if (direction === 'Ingress' || typeof port.port !== 'string') {
        // Ingress: the named port resolves on this pod; a number resolves anywhere.
        const range = resolvePolicyPort(port, pod.namedPorts);
        const match = range && portMatch(range);
        if (match) out.push(joinMatches(address, match, verdict));
        continue;
      }
      // Egress to a named port: it resolves on each destination pod, maybe to different numbers.
      const byMatch = new Map<string, AddressInterval[]>();
      for (const dst of this.peerPods(policy, peers)) {
        const range = resolvePolicyPort(port, dst.namedPorts);
        const match = range && portMatch(range);
        const ip = addressInterval(dst.ip);
        if (!match || !ip) continue;
        const list = byMatch.get(match) ?? [];
        list.push(ip);
        byMatch.set(match, list);
      }
      for (const [match, ips] of byMatch) out.push(joinMatches(this.addressMatch('daddr', normalizeIntervals(ips)) ?? '', match, verdict));
    }
    return out;
  }

  /** The chain judging `pod` for `direction`, or undefined when it is not isolated for it. */
  podChainRules(pod: PolicyPod, direction: PolicyDirection): string[] | undefined {
    const policies = isolatingPolicies(this.cluster, pod, direction);
    if (policies.length === 0) return undefined;
    const verdict = direction === 'Ingress' ? 'accept' : 'return';
    const rules: string[] = [];
    for (const policy of policies) {
      const specRules = direction === 'Ingress' ? (policy.spec.ingress ?? []).map((r) => [r.from, r.ports] as const) : (policy.spec.egress ?? []).map((r) => [r.to, r.ports] as const);
      for (const [peers, ports] of specRules) rules.push(...this.ruleStatements(policy, direction, pod, peers, ports, verdict));
    }
    rules.push('drop');
    return rules;
  }
}

function joinMatches(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(' ');
}

/** The whole table as one transaction: created (so the delete cannot fail), deleted and written anew. */
export function policyRuleset(cluster: PolicyCluster, opts: PolicyRulesetOptions): string {
  const t = `ip ${opts.table}`;
  const out = [
    `add table ${t}`,
    `delete table ${t}`,
    `add table ${t} { comment "kanzen NetworkPolicy enforcement"; }`,
    `add map ${t} ${ingressMap} { type ipv4_addr : verdict; comment "local pod isolated for ingress → its chain"; }`,
    `add map ${t} ${egressMap} { type ipv4_addr : verdict; comment "local pod isolated for egress → its chain"; }`,
    `add set ${t} ${selfSet} { type ipv4_addr . ipv4_addr; comment "a pod reaching itself (hairpin)"; }`,
  ];
  const elements = { [ingressMap]: [] as string[], [egressMap]: [] as string[], [selfSet]: [] as string[] };
  const renderer = new PodChainRenderer(cluster);
  const chains: string[] = [];
  const seen = new Set<string>();
  for (const pod of opts.localPods) {
    // Two pods with one IP (a terminating pod whose address was handed on): one chain per
    // address is all the maps can hold; the first listed wins (the agent lists live pods first).
    if (seen.has(pod.ip)) continue;
    seen.add(pod.ip);
    elements[selfSet].push(`${pod.ip} . ${pod.ip}`);
    for (const direction of ['Ingress', 'Egress'] as const) {
      const rules = renderer.podChainRules(pod, direction);
      if (!rules) continue;
      const name = chainName(direction, pod);
      chains.push(`add chain ${t} ${name}`);
      for (const r of rules) chains.push(`add rule ${t} ${name} ${r}`);
      elements[direction === 'Ingress' ? ingressMap : egressMap].push(`${pod.ip} : jump ${name}`);
    }
  }
  // Sets before the chains whose rules name them.
  for (const [items, name] of renderer.sets) out.push(`add set ${t} ${name} { type ipv4_addr; flags interval; elements = { ${items} }; }`);
  out.push(...chains);
  for (const [set, items] of Object.entries(elements)) if (items.length) out.push(`add element ${t} ${set} { ${items.join(', ')} }`);

  const base = (name: string, hook: string, rules: string[]) => {
    out.push(`add chain ${t} ${name} { type filter hook ${hook} priority filter - 5; policy accept; }`);
    for (const r of ['ct state established,related accept', ...rules]) out.push(`add rule ${t} ${name} ${r}`);
  };
  const judge = [`ip saddr . ip daddr @${selfSet} accept`, `ip saddr vmap @${egressMap}`, `ip daddr vmap @${ingressMap}`];
  base('forward', 'forward', judge);
  base('output', 'output', ['fib saddr type local accept', ...judge]);
  const services = opts.serviceCIDRs.filter((c) => !c.includes(':'));
  base('input', 'input', [...(services.length ? [`ip daddr { ${services.join(', ')} } accept`] : []), `ip saddr vmap @${egressMap}`]);
  return out.join('\n') + '\n';
}
