// Pod defaults: SetDefaults_Pod and the admission plugins every real cluster runs on
// pod create (ServiceAccount, Priority, DefaultTolerationSeconds). Pod templates only
// get defaultPodSpec; these extras are Pod-only, as on a real cluster.
import type { Pod, Toleration } from '../types.js';
import { defaultPodSpec } from './pod-spec.js';

/** DefaultTolerationSeconds admission: --default-not-ready/unreachable-toleration-seconds. */
export const defaultTolerationSeconds = 300;

export function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] };
  const spec = pod.spec;
  defaultPodSpec(spec);
  spec.enableServiceLinks ??= true;
  defaultRequestsFromLimits(pod);
  // ServiceAccount admission; serviceAccount is the deprecated mirror of serviceAccountName.
  spec.serviceAccountName ||= spec.serviceAccount || 'default';
  spec.serviceAccount ||= spec.serviceAccountName;
  // Priority admission without a priorityClassName.
  spec.priority ??= 0;
  (spec as { preemptionPolicy?: string }).preemptionPolicy ??= 'PreemptLowerPriority';
  addDefaultTolerations(spec.tolerations ??= []);
}

/** SetDefaults_Pod: a container with limits but no request for a resource requests its limit. */
export function defaultRequestsFromLimits(pod: Pod): void {
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    const limits = c.resources?.limits;
    if (!limits || !c.resources) continue;
    const requests = (c.resources.requests ??= {});
    for (const [name, q] of Object.entries(limits)) if (requests[name] === undefined) requests[name] = q;
  }
}

function addDefaultTolerations(tolerations: Toleration[]): void {
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const tolerated = tolerations.some(
      (t) => (t.effect === 'NoExecute' || !t.effect) && (t.key === key || (!t.key && t.operator === 'Exists')),
    );
    if (!tolerated) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultTolerationSeconds });
  }
}
