// The pod facts quota scopes look at (upstream pkg/quota/v1/evaluator/core/pods.go).
import type { Pod } from '../types.js';

/** BestEffort QoS: no container (or init container) requests or limits cpu or memory. */
export function podQOSIsBestEffort(pod: Pod): boolean {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return containers.every((c) => {
    const set = { ...c.resources?.requests, ...c.resources?.limits };
    return set.cpu === undefined && set.memory === undefined;
  });
}
