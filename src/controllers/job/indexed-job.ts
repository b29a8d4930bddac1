// Indexed Jobs (upstream pkg/controller/job/indexed_job_utils.go): each pod carries its
// completion index in an annotation and a label, gets JOB_COMPLETION_INDEX from it and the
// hostname <job>-<index>; the controller creates pods for the lowest indexes that have
// neither succeeded nor an active pod.
import type { Container, Pod } from '../../api/types.js';

export const jobCompletionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';
export const completionIndexEnvName = 'JOB_COMPLETION_INDEX';

/** getCompletionIndex: the pod's index, or undefined when absent or malformed. */
export function completionIndexOf(pod: Pod, completions: number): number | undefined {
  const v = pod.metadata.annotations?.[jobCompletionIndexAnnotation] ?? pod.metadata.labels?.[jobCompletionIndexAnnotation];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const i = Number(v);
  return i < completions ? i : undefined;
}

/** firstPendingIndexes: up to count indexes below completions, lowest first, not taken. */
export function firstPendingIndexes(taken: Set<number>, count: number, completions: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/** addCompletionIndexEnvVariable: JOB_COMPLETION_INDEX from the pod's index label (PodIndexLabel). */
function addCompletionIndexEnv(c: Container): void {
  if (c.env?.some((e) => e.name === completionIndexEnvName)) return;
  c.env = [...(c.env ?? []), { name: completionIndexEnvName, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${jobCompletionIndexAnnotation}']` } } }];
}

/** What an Indexed Job adds to a pod made from its template. */
export function withCompletionIndex(pod: Pod, jobName: string, index: number): Pod {
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [jobCompletionIndexAnnotation]: String(index) };
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [jobCompletionIndexAnnotation]: String(index) };
  pod.metadata.generateName = `${jobName}-${index}-`;
  pod.spec.hostname ||= `${jobName}-${index}`;
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) addCompletionIndexEnv(c);
  return pod;
}
