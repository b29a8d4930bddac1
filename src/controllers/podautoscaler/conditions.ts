// HPA status conditions (upstream horizontal.go setCondition/setConditionInList): one per type,
// its lastTransitionTime moved only when its status changes.
import { rfc3339 } from '../../api/time.js';
import type { ConditionStatus, HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition } from '../../api/types.js';

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

export interface ConditionValue {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export function setCondition(hpa: HorizontalPodAutoscaler, c: ConditionValue, now: Date): void {
  hpa.status ??= { desiredReplicas: 0 };
  const list = (hpa.status.conditions ??= []);
  let existing: HorizontalPodAutoscalerCondition | undefined = list.find((x) => x.type === c.type);
  if (!existing) {
    existing = { type: c.type, status: 'Unknown' };
    list.push(existing);
  }
  if (existing.status !== c.status || !existing.lastTransitionTime) existing.lastTransitionTime = rfc3339(now);
  existing.status = c.status;
  existing.reason = c.reason;
  existing.message = c.message;
}
