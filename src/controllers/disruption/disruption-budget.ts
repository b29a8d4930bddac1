// The arithmetic of a PodDisruptionBudget's status (upstream pkg/controller/disruption:
// getExpectedPodCount, getExpectedScale, countHealthyPods, buildDisruptedPodMap,
// updatePdbStatus), with no I/O: the controller hands in the pods, a way to find each pod's
// controller scale and the clock.
import { isDeepStrictEqual } from 'node:util';
import { valueFromIntOrPercent } from '../../api/intstr.js';
import { conditionsAreUpToDate, disruptionAllowedCondition, setStatusCondition, syncFailedReason, updateDisruptionAllowedCondition } from '../../api/poddisruptionbudget.js';
import type { OwnerReference, Pod, PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../api/types.js';
import { isPodReady } from '../replicaset/pod-conditions.js';
import { controllerOf } from '../replicaset/controller-ref-manager.js';

/**
 * DeletionTimeout: how long an eviction's entry in status.disruptedPods keeps the pod out of
 * currentHealthy while the deletion is expected to show up; past it the pod counts again.
 */
export const deletionTimeoutMs = 2 * 60_000;

/** A pod's controller and its desired scale (upstream controllerAndScale). */
export interface ControllerAndScale {
  uid: string;
  scale: number;
}

/** Finds the scale of the controller a pod's controllerRef names; undefined when it is not found. */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => ControllerAndScale | undefined;

export interface ExpectedPods {
  expectedCount: number;
  desiredHealthy: number;
  /** Pods without a controller, which a percentage or maxUnavailable budget cannot count. */
  unmanagedPods: string[];
}

/**
 * getExpectedScale: the sum of the scales of the pods' controllers (each counted once). A pod
 * whose controller cannot be found is an error, as upstream.
 */
export function expectedScale(pods: Pod[], findScale: ScaleFinder): { expectedCount: number; unmanagedPods: string[] } {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod.metadata);
    if (!ref) {
      unmanagedPods.push(pod.metadata.name!);
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = findScale(ref, pod.metadata.namespace ?? '');
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata.name)}`);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const n of scales.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}

/**
 * getExpectedPodCount: an integer minAvailable counts the selected pods as expected; a
 * percentage, or any maxUnavailable, needs the controllers' scale. Percentages round up.
 */
export function expectedPodCount(pdb: PodDisruptionBudget, pods: Pod[], findScale: ScaleFinder): ExpectedPods {
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = expectedScale(pods, findScale);
    const unavailable = valueFromIntOrPercent(maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - unavailable), unmanagedPods };
  }
  if (typeof minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: minAvailable, unmanagedPods: [] };
  if (typeof minAvailable === 'string') {
    const { expectedCount, unmanagedPods } = expectedScale(pods, findScale);
    return { expectedCount, desiredHealthy: valueFromIntOrPercent(minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

export interface DisruptedPods {
  disruptedPods: Record<string, string>;
  /** When the earliest remaining entry expires (the budget is synced again then). */
  recheckAt?: number;
  /** Pods an eviction let go that were never deleted (their entries dropped). */
  notDeleted: Pod[];
}

/**
 * buildDisruptedPodMap: entries stay for pods that still exist, are not yet being deleted and
 * were evicted less than deletionTimeout ago.
 */
export function buildDisruptedPodMap(pods: Pod[], pdb: PodDisruptionBudget, now: Date): DisruptedPods {
  const previous = pdb.status?.disruptedPods ?? {};
  const out: DisruptedPods = { disruptedPods: {}, notDeleted: [] };
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = previous[pod.metadata.name!];
    if (at === undefined) continue;
    const expected = Date.parse(at) + deletionTimeoutMs;
    if (expected < now.getTime()) {
      out.notDeleted.push(pod);
      continue;
    }
    if (out.recheckAt === undefined || expected < out.recheckAt) out.recheckAt = expected;
    out.disruptedPods[pod.metadata.name!] = at;
  }
  return out;
}

/** countHealthyPods: Ready pods not being deleted and not recently evicted. */
export function countHealthyPods(pods: Pod[], disruptedPods: Record<string, string>, now: Date): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disruptedPods[pod.metadata.name!];
    if (at !== undefined && Date.parse(at) + deletionTimeoutMs > now.getTime()) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/**
 * updatePdbStatus: the status the budget should have, or undefined when it already has it.
 * No disruption is allowed while no pod is expected, so a budget whose pods have not shown
 * up yet is safe.
 */
export function nextBudgetStatus(
  pdb: PodDisruptionBudget,
  counts: { currentHealthy: number; desiredHealthy: number; expectedCount: number; disruptedPods: Record<string, string> },
  now: Date,
): PodDisruptionBudgetStatus | undefined {
  const { currentHealthy, desiredHealthy, expectedCount, disruptedPods } = counts;
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const s = pdb.status;
  const generation = pdb.metadata.generation ?? 0;
  if (
    s &&
    s.currentHealthy === currentHealthy &&
    s.desiredHealthy === desiredHealthy &&
    s.expectedPods === expectedCount &&
    s.disruptionsAllowed === disruptionsAllowed &&
    isDeepStrictEqual(s.disruptedPods ?? {}, disruptedPods) &&
    (s.observedGeneration ?? 0) === generation &&
    conditionsAreUpToDate(pdb)
  ) {
    return undefined;
  }
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods: expectedCount,
    conditions: s?.conditions ?? [],
  };
  // disruptedPods is omitempty.
  if (Object.keys(disruptedPods).length) status.disruptedPods = disruptedPods;
  updateDisruptionAllowedCondition(status, now);
  return orderedStatus(status);
}

/** PodDisruptionBudgetStatus in its Go field order, as the API writes it. */
export function orderedStatus(s: PodDisruptionBudgetStatus): PodDisruptionBudgetStatus {
  const out = { observedGeneration: s.observedGeneration } as PodDisruptionBudgetStatus;
  if (s.disruptedPods && Object.keys(s.disruptedPods).length) out.disruptedPods = s.disruptedPods;
  out.disruptionsAllowed = s.disruptionsAllowed;
  out.currentHealthy = s.currentHealthy;
  out.desiredHealthy = s.desiredHealthy;
  out.expectedPods = s.expectedPods;
  if (s.conditions?.length) out.conditions = s.conditions;
  if (!out.observedGeneration) delete out.observedGeneration;
  return out;
}

/** failSafe: when the status cannot be computed, no disruption is allowed and the condition says why. */
export function failSafeStatus(pdb: PodDisruptionBudget, err: string, now: Date): PodDisruptionBudgetStatus {
  const s: PodDisruptionBudgetStatus = structuredClone(pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  s.disruptionsAllowed = 0;
  const condition = { type: disruptionAllowedCondition, status: 'False' as const, reason: syncFailedReason, message: err, observedGeneration: s.observedGeneration || undefined };
  s.conditions = setStatusCondition(s.conditions ?? [], condition, now);
  return orderedStatus(s);
}
