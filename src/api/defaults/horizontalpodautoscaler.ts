// autoscaling HorizontalPodAutoscaler defaults: autoscaling/v2's SetDefaults_HorizontalPodAutoscaler
// (pkg/apis/autoscaling/v2/defaults.go) and autoscaling/v1's (pkg/apis/autoscaling/v1/defaults.go).
import type { AutoscalingV1HorizontalPodAutoscaler, HPAScalingRules, HorizontalPodAutoscaler, MetricSpec } from '../types.js';

/** The CPU utilization an autoscaler aims for when it names no metric (autoscaling.DefaultCPUUtilization). */
export const defaultCPUUtilization = 80;

/** The metrics of an autoscaler that names none: cpu at 80% average utilization. */
export function defaultMetrics(): MetricSpec[] {
  return [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCPUUtilization } } }];
}

/**
 * Scale-up rules the user left unset (defaultHPAScaleUpRules): no stabilization, and per 15 s at
 * most 4 pods or 100% more, whichever is more.
 */
function defaultScaleUpRules(): HPAScalingRules {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/**
 * Scale-down rules the user left unset (defaultHPAScaleDownRules): 100% per 15 s. No
 * stabilization window: the controller's --horizontal-pod-autoscaler-downscale-stabilization
 * (300 s) applies when the object names none, so it is not written here.
 */
function defaultScaleDownRules(): HPAScalingRules {
  return { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

/** The given rules over the defaults, field by field (copyHPAScalingRules: every set field wins). */
function completeRules(given: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  if (!given) return defaults;
  const out = { ...defaults };
  if (given.selectPolicy != null) out.selectPolicy = given.selectPolicy;
  if (given.stabilizationWindowSeconds != null) out.stabilizationWindowSeconds = given.stabilizationWindowSeconds;
  if (given.policies != null) out.policies = given.policies;
  if (given.tolerance != null) out.tolerance = given.tolerance;
  return out;
}

/**
 * autoscaling/v2 defaults: minReplicas 1, the cpu metric when there is none, and, once a behavior
 * is given at all, both directions' rules completed with the defaults (a behavior naming only
 * scaleDown gets the default scaleUp too, as upstream's SetDefaults_HorizontalPodAutoscalerBehavior).
 */
export function defaultHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): void {
  const spec = hpa.spec;
  spec.minReplicas ??= 1;
  if (!spec.metrics?.length) spec.metrics = defaultMetrics();
  if (spec.behavior) {
    spec.behavior.scaleUp = completeRules(spec.behavior.scaleUp ?? undefined, defaultScaleUpRules());
    spec.behavior.scaleDown = completeRules(spec.behavior.scaleDown ?? undefined, defaultScaleDownRules());
  }
}

/**
 * autoscaling/v1 defaults: minReplicas 1 only. The 80% cpu target is applied by conversion, which
 * alone sees the metrics kept in annotations.
 */
export function defaultHorizontalPodAutoscalerV1(hpa: AutoscalingV1HorizontalPodAutoscaler): void {
  hpa.spec.minReplicas ??= 1;
}
