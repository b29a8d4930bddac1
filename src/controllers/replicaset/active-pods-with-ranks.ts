// Which pods a scale-down removes first (upstream controller.ActivePodsWithRanks and the
// ReplicaSet controller's getPodsToDelete): the sort puts the pods cheapest to lose first.
import type { Pod } from '../../api/types.js';
import { isPodActive, isPodReady, podReadyCondition } from './pod-conditions.js';

/** The annotation that lets users choose which pods go first (KEP-2255, PodDeletionCost). */
export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[podDeletionCostAnnotation];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function time(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** afterOrZero: a zero time sorts first, otherwise the later time does. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/**
 * LogarithmicScaleDown (on by default since 1.22): times are compared by the integer log2 of
 * their age in nanoseconds, so pods of similar age count as equally old and the tie is
 * broken by UID, spreading deletions instead of always taking the very newest.
 */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const ns = (now - t) * 1e6;
    return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
  };
  return rank(t1) - rank(t2);
}

function compareTimes(t1: number | undefined, t2: number | undefined, a: Pod, b: Pod, now: number): boolean {
  if (t1 === undefined || t2 === undefined) return afterOrZero(t1, t2);
  const diff = logarithmicRankDiff(t1, t2, now);
  if (diff === 0) return (a.metadata.uid ?? '') < (b.metadata.uid ?? '');
  return diff < 0;
}

function maxRestarts(pod: Pod): { regular: number; sidecar: number } {
  let regular = 0;
  let sidecar = 0;
  for (const s of pod.status?.containerStatuses ?? []) regular = Math.max(regular, s.restartCount ?? 0);
  const restartable = new Set((pod.spec.initContainers ?? []).filter((c) => (c as { restartPolicy?: string }).restartPolicy === 'Always').map((c) => c.name));
  for (const s of pod.status?.initContainerStatuses ?? []) if (restartable.has(s.name)) sidecar = Math.max(sidecar, s.restartCount ?? 0);
  return { regular, sidecar };
}

/** ActivePodsWithRanks.Less: true when pod a should be deleted before pod b. */
export function podLessForDeletion(a: Pod, rankA: number, b: Pod, rankB: number, now: number): boolean {
  const nodeA = a.spec.nodeName ?? '';
  const nodeB = b.spec.nodeName ?? '';
  // 1. Unassigned < assigned.
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '';
  // 2. Pending < Unknown < Running.
  const pa = phaseOrdinal[a.status?.phase ?? ''] ?? 0;
  const pb = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa < pb;
  // 3. Not ready < ready.
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return !readyA;
  // 4. Lower pod-deletion-cost < higher.
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA < costB;
  // 5. Doubled up (more related pods on its node) < not doubled up.
  if (rankA !== rankB) return rankA > rankB;
  // 6. Ready for less time < ready for longer.
  if (readyA && readyB) {
    const ta = time(podReadyCondition(a)?.lastTransitionTime);
    const tb = time(podReadyCondition(b)?.lastTransitionTime);
    if (ta !== tb) return compareTimes(ta, tb, a, b, now);
  }
  // 7. Higher restart count < lower.
  const ra = maxRestarts(a);
  const rb = maxRestarts(b);
  if (ra.regular !== rb.regular) return ra.regular > rb.regular;
  if (ra.sidecar !== rb.sidecar) return ra.sidecar > rb.sidecar;
  // 8. Newer < older (empty creation time first).
  const ca = time(a.metadata.creationTimestamp);
  const cb = time(b.metadata.creationTimestamp);
  if (ca !== cb) return compareTimes(ca, cb, a, b, now);
  return false;
}

/**
 * getPodsToDelete: the first `diff` pods by deletion preference. A pod's rank is the number of
 * active related pods (of the same owner's ReplicaSets) on its node.
 */
export function getPodsToDelete(filteredPods: Pod[], relatedPods: Pod[], diff: number, now: number): Pod[] {
  if (diff >= filteredPods.length) return filteredPods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const p of relatedPods) if (isPodActive(p)) onNode.set(p.spec.nodeName ?? '', (onNode.get(p.spec.nodeName ?? '') ?? 0) + 1);
  const ranked = filteredPods.map((pod) => ({ pod, rank: onNode.get(pod.spec.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => (podLessForDeletion(x.pod, x.rank, y.pod, y.rank, now) ? -1 : podLessForDeletion(y.pod, y.rank, x.pod, x.rank, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
