// The scaling rules a behavior leaves unset (upstream pkg/apis/autoscaling/v2 defaults.go,
// GenerateHPAScaleUpRules/GenerateHPAScaleDownRules): they repeat the HPA's behaviour from
// before behaviors existed — up by 4 pods or 100% per 15 s, down by 100% per 15 s with the
// controller's --horizontal-pod-autoscaler-downscale-stabilization window (5 minutes).
import type { HPAScalingRules } from './hpa-types.js';

export function generateHPAScaleUpRules(rules?: HPAScalingRules): HPAScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? 0,
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/** stabilizationWindowSeconds stays unset: the controller fills in its downscale stabilization window. */
export function generateHPAScaleDownRules(rules?: HPAScalingRules): HPAScalingRules {
  return {
    ...(rules?.stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds: rules.stabilizationWindowSeconds } : {}),
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}
