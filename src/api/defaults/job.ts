// batch/v1 defaults (pkg/apis/batch/v1/defaults.go SetDefaults_Job, SetDefaults_CronJob).
// A CronJob's jobTemplate.spec is not a Job: only its pod template gets the core defaults,
// as upstream's generated defaulter does.
import type { CronJob, Job, JobSpec } from '../types.js';
import { defaultPodSpec } from './pod-spec.js';

/** The backoffLimit a Job gets when none is given (and backoffLimitPerIndex is unset). */
export const defaultBackoffLimit = 6;
/** math.MaxInt32: the backoffLimit of a Job that limits failures per index instead. */
const maxInt32 = 2147483647;

export function defaultJob(job: Job): void {
  const spec = job.spec;
  // A non-parallel Job may leave both unset: both become 1.
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? maxInt32 : defaultBackoffLimit;
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels && !Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...templateLabels };
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) pattern.status ||= 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  defaultJobTemplatePodSpec(spec);
}

export function defaultCronJob(cj: CronJob): void {
  cj.spec.concurrencyPolicy ||= 'Allow';
  cj.spec.suspend ??= false;
  cj.spec.successfulJobsHistoryLimit ??= 3;
  cj.spec.failedJobsHistoryLimit ??= 1;
  if (cj.spec.jobTemplate?.spec) defaultJobTemplatePodSpec(cj.spec.jobTemplate.spec);
}

function defaultJobTemplatePodSpec(spec: JobSpec): void {
  if (spec.template?.spec) defaultPodSpec(spec.template.spec);
}
