// PodDisruptionBudgets (upstream pkg/registry/policy/poddisruptionbudget): generation tracks
// spec changes; a new budget's status is the zero status (its counts are not omitempty), which
// only the disruption controller and the eviction subresource write, through pdb/status.
import type { PodDisruptionBudget } from '../../api/types.js';
import { validatePodDisruptionBudget, validatePodDisruptionBudgetStatusUpdate, validatePodDisruptionBudgetUpdate } from '../../api/validation/policy-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const poddisruptionbudgets: ResourceModule = {
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      prepareForCreate(obj) {
        obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
      },
      validate: (obj) => validatePodDisruptionBudget(obj as PodDisruptionBudget),
      validateUpdate: (obj, old) => validatePodDisruptionBudgetUpdate(obj as PodDisruptionBudget, old as PodDisruptionBudget),
      validateStatusUpdate: (obj, old) => validatePodDisruptionBudgetStatusUpdate(obj as PodDisruptionBudget, old as PodDisruptionBudget),
    }),
};
