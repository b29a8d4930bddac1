// From the metrics' desired count to the count the controller sets (upstream horizontal.go
// normalizeDesiredReplicas / normalizeDesiredReplicasWithBehaviors): stabilized over recent
// recommendations, limited by min/max and the scale rate, with the AbleToScale and
// ScalingLimited conditions that say which of these decided.
import type { HorizontalPodAutoscaler } from '../../api/types.js';
import { setCondition } from './conditions.js';
import { convertDesiredReplicasWithRules, type LimitedReplicas, type ScalingHistory } from './scaling-history.js';

const readyForNewScale = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };

function setLimited(hpa: HorizontalPodAutoscaler, limited: LimitedReplicas, stabilized: number, now: Date): void {
  setCondition(hpa, { type: 'ScalingLimited', status: limited.replicas === stabilized ? 'False' : 'True', reason: limited.reason, message: limited.message }, now);
}

/** Without a behavior: the downscale stabilization window, min/max and the fixed scale-up limit. */
export function normalizeDesiredReplicas(hpa: HorizontalPodAutoscaler, history: ScalingHistory, key: string, currentReplicas: number, prenormalized: number, minReplicas: number, now: Date): number {
  const stabilized = history.stabilizeRecommendation(key, prenormalized);
  setCondition(
    hpa,
    stabilized !== prenormalized
      ? { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
      : { type: 'AbleToScale', status: 'True', ...readyForNewScale },
    now,
  );
  const limited = convertDesiredReplicasWithRules(currentReplicas, stabilized, minReplicas, hpa.spec.maxReplicas);
  setLimited(hpa, limited, stabilized, now);
  return limited.replicas;
}

/** With a behavior: its stabilization windows, then its policies' rates and min/max. */
export function normalizeDesiredReplicasWithBehaviors(hpa: HorizontalPodAutoscaler, history: ScalingHistory, key: string, currentReplicas: number, prenormalized: number, minReplicas: number, now: Date): number {
  // The API completed both directions' rules (defaults) but leaves the scale-down window unset:
  // the controller's own --horizontal-pod-autoscaler-downscale-stabilization applies.
  const behavior = hpa.spec.behavior ?? {};
  const scaleDown = { ...behavior.scaleDown, stabilizationWindowSeconds: behavior.scaleDown?.stabilizationWindowSeconds ?? Math.trunc(history.downscaleStabilisationWindowMs / 1000) };
  const arg = {
    key,
    scaleUpBehavior: behavior.scaleUp ?? {},
    scaleDownBehavior: scaleDown,
    minReplicas,
    maxReplicas: hpa.spec.maxReplicas,
    currentReplicas,
    desiredReplicas: prenormalized,
  };
  const stabilized = history.stabilizeRecommendationWithBehaviors(arg);
  setCondition(
    hpa,
    stabilized.replicas !== prenormalized
      ? { type: 'AbleToScale', status: 'True', reason: stabilized.reason, message: stabilized.message }
      : { type: 'AbleToScale', status: 'True', ...readyForNewScale },
    now,
  );
  const limited = history.convertDesiredReplicasWithBehaviorRate({ ...arg, desiredReplicas: stabilized.replicas });
  setLimited(hpa, limited, stabilized.replicas, now);
  return limited.replicas;
}
