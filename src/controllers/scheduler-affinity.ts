// Inter-pod affinity and preferred node affinity for the scheduler, as upstream's
// InterPodAffinity plugin (pkg/scheduler/framework/plugins/interpodaffinity: filtering.go,
// scoring.go) and NodeAffinity's Score (plugins/nodeaffinity) compute them:
//   - Filter: the pod's required podAffinity (every term satisfied in the node's topology,
//     or the first pod of a self-affine series), its required podAntiAffinity (no matching
//     pod in the node's topology), and the required podAntiAffinity of pods already placed
//     (the pod would violate theirs).
//   - Score: per topology pair, the weights of the pod's preferred terms that placed pods
//     match (anti-affinity subtracts), plus placed pods' own terms that match the pod
//     (required affinity with hardPodAffinityWeight 1, preferred affinity and anti-affinity
//     with their weights); a node scores the sum over the pairs its labels carry; scores are
//     then normalized to 0..100 (min-max). Preferred node affinity: the sum of the weights of
//     matching terms, normalized by the highest.
import type { Namespace, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodAffinity, PodAffinityTerm, PodAntiAffinity } from '../api/types.js';
import { labelSelectorAsRequirements, matchLabels, type LabelRequirement } from '../api/labels.js';

function nodeRequirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  switch (r.operator) {
    case 'In':
      return value !== undefined && (r.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(r.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(r.values?.[0] ?? '')) return false;
      const have = BigInt(value);
      const want = BigInt(r.values![0]);
      return r.operator === 'Gt' ? have > want : have < want;
    }
  }
}

/** A NodeSelectorTerm: all its requirements; a term with none matches nothing (upstream nodeSelectorTerm.match). */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  return (
    exprs.every((r) => nodeRequirementMatches(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined)) &&
    fields.every((r) => r.key === 'metadata.name' && nodeRequirementMatches(r, node.metadata.name))
  );
}

/** Upstream's default InterPodAffinityArgs.hardPodAffinityWeight. */
const hardPodAffinityWeight = 1;
/** framework.MaxNodeScore */
export const maxNodeScore = 100;

// Reasons as upstream's InterPodAffinity filter words them.
export const reasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const reasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
export const reasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

/** framework.AffinityTerm: a term with its namespaces resolved against the pod that carries it. */
interface AffinityTerm {
  namespaces: Set<string>;
  /** null: labels.Nothing() (no namespaceSelector). */
  namespaceSelector: LabelRequirement[] | null;
  selector: LabelRequirement[] | null;
  topologyKey: string;
  weight: number;
}

/** framework.newAffinityTerm: no namespaces and no namespaceSelector mean the pod's own namespace. */
function toTerm(owner: Pod, t: PodAffinityTerm, weight = 0): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && (t.namespaceSelector === undefined || t.namespaceSelector === null)) namespaces.add(owner.metadata.namespace ?? 'default');
  return {
    namespaces,
    namespaceSelector: labelSelectorAsRequirements(t.namespaceSelector),
    selector: labelSelectorAsRequirements(t.labelSelector),
    topologyKey: t.topologyKey,
    weight,
  };
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and carries matching labels. */
function termMatches(term: AffinityTerm, pod: Pod, nsLabels: (ns: string) => Record<string, string> | undefined): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  if (!term.namespaces.has(ns) && !matchLabels(term.namespaceSelector, nsLabels(ns) ?? {})) return false;
  return matchLabels(term.selector, pod.metadata.labels ?? {});
}

const required = (r?: PodAffinity | PodAntiAffinity) => r?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
const preferred = (r?: PodAffinity | PodAntiAffinity) => r?.preferredDuringSchedulingIgnoredDuringExecution ?? [];

/** A placed pod and its node, as the scheduler's snapshot has them. */
export interface PlacedPod {
  pod: Pod;
  node: Node;
}

type TopologyCounts = Map<string, number>;
const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

function addAt(counts: TopologyCounts, node: Node, key: string, value: number): void {
  const v = node.metadata.labels?.[key];
  if (v === undefined || value === 0) return;
  const k = pairKey(key, v);
  counts.set(k, (counts.get(k) ?? 0) + value);
}

const countAt = (counts: TopologyCounts, node: Node, key: string): number | undefined => {
  const v = node.metadata.labels?.[key];
  return v === undefined ? undefined : (counts.get(pairKey(key, v)) ?? 0);
};

/**
 * What one scheduling attempt needs to know about inter-pod affinity (upstream's PreFilter
 * state and PreScore state), computed once from every placed pod.
 */
export class InterPodAffinity {
  private readonly requiredAffinity: AffinityTerm[];
  private readonly requiredAnti: AffinityTerm[];
  /** Pairs where a placed pod matches all of the pod's required affinity terms. */
  private readonly affinityCounts: TopologyCounts = new Map();
  /** Pairs where a placed pod matches one of the pod's required anti-affinity terms. */
  private readonly antiAffinityCounts: TopologyCounts = new Map();
  /** Pairs where the pod would violate a placed pod's required anti-affinity. */
  private readonly existingAntiCounts: TopologyCounts = new Map();
  /** Pair → score (PreScore's topologyScore); undefined when no one has preferences. */
  private readonly topologyScore: TopologyCounts | undefined;

  constructor(
    private readonly pod: Pod,
    placed: readonly PlacedPod[],
    private readonly nsLabels: (ns: string) => Record<string, string> | undefined,
  ) {
    const a = pod.spec.affinity;
    this.requiredAffinity = required(a?.podAffinity).map((t) => toTerm(pod, t));
    this.requiredAnti = required(a?.podAntiAffinity).map((t) => toTerm(pod, t));
    const preferredAffinity = preferred(a?.podAffinity).map((w) => toTerm(pod, w.podAffinityTerm, w.weight));
    const preferredAnti = preferred(a?.podAntiAffinity).map((w) => toTerm(pod, w.podAffinityTerm, w.weight));
    const scores: TopologyCounts = new Map();
    let anyPreference = preferredAffinity.length > 0 || preferredAnti.length > 0;
    for (const { pod: other, node } of placed) {
      if (this.requiredAffinity.length > 0 && this.requiredAffinity.every((t) => termMatches(t, other, nsLabels))) {
        for (const t of this.requiredAffinity) addAt(this.affinityCounts, node, t.topologyKey, 1);
      }
      for (const t of this.requiredAnti) if (termMatches(t, other, nsLabels)) addAt(this.antiAffinityCounts, node, t.topologyKey, 1);
      const oa = other.spec.affinity;
      for (const t of required(oa?.podAntiAffinity)) {
        const term = toTerm(other, t);
        if (termMatches(term, pod, nsLabels)) addAt(this.existingAntiCounts, node, term.topologyKey, 1);
      }
      // scoring.go processExistingPod: the pod's preferences toward the placed pod …
      for (const t of preferredAffinity) if (termMatches(t, other, nsLabels)) addAt(scores, node, t.topologyKey, t.weight);
      for (const t of preferredAnti) if (termMatches(t, other, nsLabels)) addAt(scores, node, t.topologyKey, -t.weight);
      // … and the placed pod's own terms toward the pod.
      const otherTerms: [PodAffinityTerm, number][] = [
        ...required(oa?.podAffinity).map((t): [PodAffinityTerm, number] => [t, hardPodAffinityWeight]),
        ...preferred(oa?.podAffinity).map((w): [PodAffinityTerm, number] => [w.podAffinityTerm, w.weight]),
        ...preferred(oa?.podAntiAffinity).map((w): [PodAffinityTerm, number] => [w.podAffinityTerm, -w.weight]),
      ];
      if (otherTerms.length > 0) anyPreference = true;
      for (const [t, weight] of otherTerms) {
        const term = toTerm(other, t);
        if (termMatches(term, pod, nsLabels)) addAt(scores, node, term.topologyKey, weight);
      }
    }
    this.topologyScore = anyPreference ? scores : undefined;
  }

  /** Filter: the InterPodAffinity reason for this node, or undefined when it passes. */
  filter(node: Node): string | undefined {
    if (!this.satisfiesAffinity(node)) return reasonAffinityRulesNotMatch;
    if (this.requiredAnti.some((t) => (countAt(this.antiAffinityCounts, node, t.topologyKey) ?? 0) > 0)) return reasonAntiAffinityRulesNotMatch;
    const labels = node.metadata.labels ?? {};
    for (const [key, value] of Object.entries(labels)) {
      if ((this.existingAntiCounts.get(pairKey(key, value)) ?? 0) > 0) return reasonExistingAntiAffinityRulesNotMatch;
    }
    return undefined;
  }

  /** filtering.go satisfyPodAffinity */
  private satisfiesAffinity(node: Node): boolean {
    let podsExist = true;
    for (const t of this.requiredAffinity) {
      const n = countAt(this.affinityCounts, node, t.topologyKey);
      // Every topology label of the terms must be on the node.
      if (n === undefined) return false;
      if (n <= 0) podsExist = false;
    }
    if (podsExist) return true;
    // The first pod of a series with affinity to itself: no placed pod matches, but the
    // pod matches all of its own terms.
    return this.affinityCounts.size === 0 && this.requiredAffinity.every((t) => termMatches(t, this.pod, this.nsLabels));
  }

  /** Score before normalization (undefined: the plugin has nothing to say, every node 0). */
  rawScore(node: Node): number {
    if (!this.topologyScore) return 0;
    let score = 0;
    for (const [key, value] of Object.entries(node.metadata.labels ?? {})) score += this.topologyScore.get(pairKey(key, value)) ?? 0;
    return score;
  }

  /** Score + NormalizeScore over the feasible nodes: min-max scaled to 0..100. */
  scores(nodes: readonly Node[]): number[] {
    const raw = nodes.map((n) => this.rawScore(n));
    const min = Math.min(...raw);
    const diff = Math.max(...raw) - min;
    return raw.map((s) => (diff > 0 ? Math.trunc((maxNodeScore * (s - min)) / diff) : 0));
  }
}

/** NodeAffinity Score + NormalizeScore (DefaultNormalizeScore, not reversed): weights of matching preferred terms. */
export function nodeAffinityScores(pod: Pod, nodes: readonly Node[]): number[] {
  const terms = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const raw = nodes.map((n) => terms.reduce((sum, t) => (t.weight !== 0 && nodeSelectorTermMatches(t.preference, n) ? sum + t.weight : sum), 0));
  const max = Math.max(0, ...raw);
  return raw.map((s) => (max > 0 ? Math.trunc((maxNodeScore * s) / max) : 0));
}

/** Namespace labels by name, for namespaceSelector. */
export function namespaceLabels(list: () => Namespace[]): (ns: string) => Record<string, string> | undefined {
  let byName: Map<string, Record<string, string>> | undefined;
  return (ns) => {
    byName ??= new Map(list().map((n) => [n.metadata.name!, n.metadata.labels ?? {}]));
    return byName.get(ns);
  };
}
