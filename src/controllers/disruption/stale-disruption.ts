// A pod marked DisruptionTarget=True by an eviction that then never deleted it (the delete
// failed, or a conflict came in between) would say forever that it is about to go. The
// disruption controller sets such a condition back to False once it is older than
// stalePodDisruptionTimeout (upstream nonTerminatingPodHasStaleDisruptionCondition).
import { rfc3339 } from '../../api/time.js';
import type { Condition, Pod } from '../../api/types.js';

export const stalePodDisruptionTimeoutMs = 2 * 60_000;

/** How long until the pod's DisruptionTarget condition is stale (0: now); undefined when it has none that can be. */
export function staleDisruptionIn(pod: Pod, now: Date, timeoutMs = stalePodDisruptionTimeoutMs): number | undefined {
  if (pod.metadata.deletionTimestamp) return undefined;
  const cond = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
  // The kubelet's own disruption conditions, and those of finished pods, are never stale.
  if (!cond || cond.status !== 'True' || cond.reason === 'TerminationByKubelet') return undefined;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return undefined;
  const since = Date.parse(cond.lastTransitionTime ?? '') || 0;
  return Math.max(0, since + timeoutMs - now.getTime());
}

/** The pod's conditions with DisruptionTarget set back to False. */
export function clearedDisruptionTarget(pod: Pod, now: Date): Condition[] {
  return (pod.status?.conditions ?? []).map((c) => (c.type === 'DisruptionTarget' ? { ...c, status: 'False' as const, lastTransitionTime: rfc3339(now) } : c));
}
