// backoffLimitPerIndex (upstream pkg/controller/job/backoff_utils.go and indexed_job_utils.go,
// KEP-3850): each pod of an Indexed Job carries how many times its index failed before it
// (annotation batch.kubernetes.io/job-index-failure-count); an index whose pod fails with that
// count already at the limit, or by a FailIndex rule, is failed for good (status.failedIndexes)
// and gets no more pods; each index backs off on its own failures.
import type { Job, Pod } from '../../api/types.js';
import { backoffDelayMs } from './job-backoff.js';
import { completionIndexOf } from './indexed-job.js';
import { podFinishTime } from './job-pods.js';

export const indexFailureCountAnnotation = 'batch.kubernetes.io/job-index-failure-count';
export const reasonMaxFailedIndexesExceeded = 'MaxFailedIndexesExceeded';
export const messageMaxFailedIndexesExceeded = 'Job has exceeded the specified maximal number of failed indexes';
export const reasonFailedIndexes = 'FailedIndexes';
export const messageFailedIndexes = 'Job has failed indexes';

export function hasBackoffLimitPerIndex(job: Job): boolean {
  return job.spec.completionMode === 'Indexed' && job.spec.backoffLimitPerIndex != null;
}

/** getIndexFailureCount: the failures of the pod's index before this pod. */
export function indexFailureCount(pod: Pod): number {
  const v = pod.metadata.annotations?.[indexFailureCountAnnotation];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

/** isIndexFailed: a counted failure with the index already at its limit, or a FailIndex rule. */
export function isIndexFailed(job: Job, pod: Pod, failIndexRule: boolean): boolean {
  if (failIndexRule) return true;
  return indexFailureCount(pod) >= (job.spec.backoffLimitPerIndex ?? 0);
}

export interface IndexFailures {
  /** Failures of the index so far: what its next pod's annotation says. */
  count: number;
  lastFailure: number;
}

/** The failures per index, from the index's latest failed pod. */
export function indexFailures(job: Job, pods: Pod[], now: number): Map<number, IndexFailures> {
  const out = new Map<number, IndexFailures>();
  for (const pod of pods) {
    if (pod.status?.phase !== 'Failed') continue;
    const ix = completionIndexOf(pod, job.spec.completions ?? 0);
    if (ix === undefined) continue;
    const count = indexFailureCount(pod) + 1;
    const cur = out.get(ix);
    if (!cur || count > cur.count) out.set(ix, { count, lastFailure: podFinishTime(pod, now) });
  }
  return out;
}

/** How long the index must still wait before its next pod (0: now). */
export function indexBackoffRemainingMs(f: IndexFailures | undefined, now: number): number {
  if (!f) return 0;
  return Math.max(0, f.lastFailure + backoffDelayMs(f.count) - now);
}
