// Pod failure back-off (upstream pkg/controller/job/backoff_utils.go): after failed pods the
// controller waits 10s, 20s, 40s, … (at most 10 minutes) from the last failure before it
// creates replacements; a success resets the count.

/** DefaultJobPodFailureBackOff */
export const defaultPodFailureBackoffMs = 10_000;
/** MaxJobPodFailureBackOff */
export const maxPodFailureBackoffMs = 10 * 60_000;

export interface BackoffRecord {
  /** Failed pods since the last success. */
  failuresAfterLastSuccess: number;
  /** When the last of them finished (ms). */
  lastFailureTime?: number;
}

/** The delay after n consecutive failures: base * 2^(n-1), capped. */
export function backoffDelayMs(failures: number, baseMs = defaultPodFailureBackoffMs, maxMs = maxPodFailureBackoffMs): number {
  if (failures <= 0) return 0;
  const delay = baseMs * 2 ** (failures - 1);
  return Math.min(delay, maxMs);
}

/** getRemainingTime: how long until a replacement may be created (0: now). */
export function remainingBackoffMs(record: BackoffRecord, now: number): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  const left = record.lastFailureTime + backoffDelayMs(record.failuresAfterLastSuccess) - now;
  return left > 0 ? left : 0;
}

/** A finished pod as the back-off sees it. */
export interface FinishedPod {
  failed: boolean;
  finishTime: number;
}

/** The record after pods finished: failures count up, a success clears them. */
export function nextBackoffRecord(record: BackoffRecord, finished: FinishedPod[]): BackoffRecord {
  const next = { ...record };
  for (const p of [...finished].sort((a, b) => a.finishTime - b.finishTime)) {
    if (p.failed) {
      next.failuresAfterLastSuccess++;
      next.lastFailureTime = Math.max(next.lastFailureTime ?? 0, p.finishTime);
    } else {
      next.failuresAfterLastSuccess = 0;
      next.lastFailureTime = undefined;
    }
  }
  return next;
}
