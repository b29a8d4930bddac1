// scheduling.k8s.io/v1 PriorityClass defaults (SetDefaults_PriorityClass).
import type { PriorityClass } from '../types.js';

export function defaultPriorityClass(pc: PriorityClass): void {
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}
