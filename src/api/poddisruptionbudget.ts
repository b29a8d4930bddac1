// The DisruptionAllowed condition of a PodDisruptionBudget (upstream
// k8s.io/component-helpers/apps/poddisruptionbudget), shared by the disruption controller,
// which computes a budget's status, and the eviction subresource, which spends it.
import { rfc3339 } from './time.js';
import type { Condition, PodDisruptionBudget, PodDisruptionBudgetStatus } from './types.js';

export const disruptionAllowedCondition = 'DisruptionAllowed';
/** Reasons of the DisruptionAllowed condition (policy/v1 constants). */
export const sufficientPodsReason = 'SufficientPods';
export const insufficientPodsReason = 'InsufficientPods';
export const syncFailedReason = 'SyncFailed';

/**
 * meta.SetStatusCondition: adds or updates the condition of that type; lastTransitionTime
 * moves only when the status changes.
 */
export function setStatusCondition(conditions: Condition[], next: Condition, now: Date): Condition[] {
  const i = conditions.findIndex((c) => c.type === next.type);
  if (i < 0) return [...conditions, { ...next, lastTransitionTime: next.lastTransitionTime ?? rfc3339(now) }];
  const old = conditions[i];
  const merged: Condition = { ...old, reason: next.reason, message: next.message, observedGeneration: next.observedGeneration };
  if (old.status !== next.status) {
    merged.status = next.status;
    merged.lastTransitionTime = next.lastTransitionTime ?? rfc3339(now);
  }
  return conditions.map((c, j) => (j === i ? merged : c));
}

/** UpdateDisruptionAllowedCondition: True/SufficientPods while disruptions are allowed, else False/InsufficientPods. */
export function updateDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, now: Date): void {
  const allowed = status.disruptionsAllowed > 0;
  status.conditions = setStatusCondition(
    status.conditions ?? [],
    {
      type: disruptionAllowedCondition,
      status: allowed ? 'True' : 'False',
      reason: allowed ? sufficientPodsReason : insufficientPodsReason,
      message: '',
      // observedGeneration is omitempty in metav1.Condition.
      observedGeneration: status.observedGeneration || undefined,
    },
    now,
  );
}

/** ConditionsAreUpToDate: the condition agrees with disruptionsAllowed for the current generation. */
export function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const status = pdb.status;
  const cond = status?.conditions?.find((c) => c.type === disruptionAllowedCondition);
  if (!status || !cond) return false;
  if ((status.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  if (status.disruptionsAllowed > 0) return cond.status === 'True' && cond.reason === sufficientPodsReason;
  return cond.status === 'False' && cond.reason === insufficientPodsReason;
}
