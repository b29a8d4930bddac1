// Job conditions as the 1.33 controller writes them: FailureTarget / SuccessCriteriaMet as
// soon as the outcome is known, then Failed / Complete (same reason and message) once no pod
// is left running or terminating; Suspended while spec.suspend is true.
import type { Job, JobCondition } from '../../api/types.js';

export const reasonBackoffLimitExceeded = 'BackoffLimitExceeded';
export const messageBackoffLimitExceeded = 'Job has reached the specified backoff limit';
export const reasonDeadlineExceeded = 'DeadlineExceeded';
export const messageDeadlineExceeded = 'Job was active longer than specified deadline';
export const reasonPodFailurePolicy = 'PodFailurePolicy';
export const reasonCompletionsReached = 'CompletionsReached';
export const messageCompletionsReached = 'Reached expected number of succeeded pods';

export function conditionTrue(job: Job, type: JobCondition['type']): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** The Complete or Failed condition, if the Job has finished. */
export function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export function newJobCondition(type: JobCondition['type'], status: JobCondition['status'], reason: string, message: string, now: string): JobCondition {
  return { type, status, lastProbeTime: now, lastTransitionTime: now, reason, message };
}

/**
 * ensureJobConditionStatus: sets the condition, keeping lastTransitionTime when the status
 * does not change. Returns whether anything changed.
 */
export function setJobCondition(conditions: JobCondition[], cond: JobCondition): boolean {
  const i = conditions.findIndex((c) => c.type === cond.type);
  if (i < 0) {
    conditions.push(cond);
    return true;
  }
  const cur = conditions[i];
  if (cur.status === cond.status && cur.reason === cond.reason && cur.message === cond.message) return false;
  conditions[i] = cur.status === cond.status ? { ...cond, lastTransitionTime: cur.lastTransitionTime } : cond;
  return true;
}
