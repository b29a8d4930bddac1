// The Job's pod failure policy (upstream pkg/controller/job/pod_failure_policy.go): the first
// rule matching a failed pod decides — FailJob fails the Job with a message naming the pod,
// Ignore does not count the failure against backoffLimit, Count counts it (as no match does).
import type { ContainerStatus, Job, Pod, PodFailurePolicyRule } from '../../api/types.js';

export interface PodFailurePolicyMatch {
  action: PodFailurePolicyRule['action'];
  /** For FailJob: the FailureTarget condition's message. */
  message?: string;
}

function matchOnExitCodes(rule: PodFailurePolicyRule, pod: Pod): ContainerStatus | undefined {
  const req = rule.onExitCodes!;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    if (req.containerName && req.containerName !== s.name) continue;
    const code = s.state?.terminated?.exitCode;
    // Exit code 0 never matches: the container succeeded.
    if (code === undefined || code === 0) continue;
    const listed = req.values.includes(code);
    if ((req.operator === 'In' && listed) || (req.operator === 'NotIn' && !listed)) return s;
  }
  return undefined;
}

function matchOnPodConditions(rule: PodFailurePolicyRule, pod: Pod): string | undefined {
  for (const pattern of rule.onPodConditions ?? []) {
    const c = pod.status?.conditions?.find((cond) => cond.type === pattern.type);
    if (c && c.status === (pattern.status || 'True')) return pattern.type;
  }
  return undefined;
}

/** matchPodFailurePolicy: the first matching rule's action, or undefined (counted as usual). */
export function matchPodFailurePolicy(job: Job, pod: Pod): PodFailurePolicyMatch | undefined {
  const rules = job.spec.podFailurePolicy?.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.onExitCodes) {
      const s = matchOnExitCodes(rule, pod);
      if (!s) continue;
      const message =
        rule.action === 'FailJob'
          ? `Container ${s.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${s.state!.terminated!.exitCode} matching ${rule.action} rule at index ${i}`
          : undefined;
      return { action: rule.action, message };
    }
    if (rule.onPodConditions?.length) {
      const type = matchOnPodConditions(rule, pod);
      if (!type) continue;
      const message = rule.action === 'FailJob' ? `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${type} matching ${rule.action} rule at index ${i}` : undefined;
      return { action: rule.action, message };
    }
  }
  return undefined;
}
