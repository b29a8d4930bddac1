// How the Job controller reads its pods (upstream job_controller.go helpers): which are
// active, terminating, finished; which failures count; the pod it makes from the template.
import type { Job, Pod } from '../../api/types.js';
import { newControllerRef } from '../replicaset/controller-ref-manager.js';
import { getPodFromTemplate } from '../replicaset/pod-from-template.js';
import { withCompletionIndex } from './indexed-job.js';

/** The finalizer that keeps a pod until the controller has counted it (JobTrackingFinalizer). */
export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';

export function hasTrackingFinalizer(pod: Pod): boolean {
  return !!pod.metadata.finalizers?.includes(jobTrackingFinalizer);
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

export function isPodTerminating(pod: Pod): boolean {
  return !isPodTerminal(pod) && !!pod.metadata.deletionTimestamp;
}

/** Replacements wait for pods to be Failed, not just terminating (podReplacementPolicy Failed). */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || !!job.spec.podFailurePolicy;
}

/**
 * isPodFailed: phase Failed; unless replacement waits for Failed pods, a pod being deleted
 * before it succeeded counts as failed too (an orphan may never reach a phase).
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** When a finished pod finished: its containers' last finishedAt, else now. */
export function podFinishTime(pod: Pod, now: number): number {
  let latest: number | undefined;
  for (const s of pod.status?.containerStatuses ?? []) {
    const t = s.state?.terminated?.finishedAt ? Date.parse(s.state.terminated.finishedAt) : Number.NaN;
    if (!Number.isNaN(t)) latest = Math.max(latest ?? t, t);
  }
  return latest ?? now;
}

/** Restarts of the containers of running or pending pods (pastBackoffLimitOnFailure). */
export function restartsOfActivePods(pods: Pod[]): number {
  let total = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) total += s.restartCount ?? 0;
  }
  return total;
}

/** A pod from the Job's template: named after the Job, owned by it, with the tracking finalizer. */
export function podFromJobTemplate(job: Job, index?: number): Pod {
  const pod = getPodFromTemplate(job.spec.template, job, newControllerRef(job, 'batch/v1', 'Job'));
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), jobTrackingFinalizer];
  return index === undefined ? pod : withCompletionIndex(pod, job.metadata.name!, index);
}
