// The conditions normalization leaves on the autoscaler (upstream horizontal_test.go's
// expectedConditions): AbleToScale says whether a stabilization window held the count back,
// ScalingLimited whether min/max or a rate limit did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HorizontalPodAutoscaler } from '../../api/types.js';
import { defaultHorizontalPodAutoscaler } from '../../api/defaults/horizontalpodautoscaler.js';
import { normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors } from './normalize-replicas.js';
import { ScalingHistory } from './scaling-history.js';

const now = new Date('2026-06-01T12:00:00Z');
const key = 'default/web';

function hpa(spec: Partial<HorizontalPodAutoscaler['spec']> = {}): HorizontalPodAutoscaler {
  const h: HorizontalPodAutoscaler = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 10, ...spec } };
  defaultHorizontalPodAutoscaler(h);
  return h;
}

const conditions = (h: HorizontalPodAutoscaler) => h.status?.conditions?.map((c) => [c.type, c.status, c.reason]);

test('without a behavior: a higher recent recommendation holds a scale-down (ScaleDownStabilized)', () => {
  const history = new ScalingHistory(() => now, 300_000);
  history.recommendations.set(key, [{ recommendation: 6, timestamp: now.getTime() - 60_000 }]);
  const h = hpa();
  assert.equal(normalizeDesiredReplicas(h, history, key, 6, 2, 1, now), 6);
  assert.deepEqual(conditions(h), [
    ['AbleToScale', 'True', 'ScaleDownStabilized'],
    ['ScalingLimited', 'False', 'DesiredWithinRange'],
  ]);
});

test('without a behavior: at most twice the count (at least 4) at once (ScaleUpLimit), and never below minReplicas (TooFewReplicas)', () => {
  const history = new ScalingHistory(() => now, 300_000);
  const up = hpa({ maxReplicas: 100 });
  assert.equal(normalizeDesiredReplicas(up, history, key, 3, 50, 1, now), 6);
  assert.deepEqual(conditions(up), [
    ['AbleToScale', 'True', 'ReadyForNewScale'],
    ['ScalingLimited', 'True', 'ScaleUpLimit'],
  ]);
  const down = hpa({ minReplicas: 2 });
  assert.equal(normalizeDesiredReplicas(down, new ScalingHistory(() => now, 300_000), 'other', 3, 1, 2, now), 2);
  assert.deepEqual(conditions(down)?.[1], ['ScalingLimited', 'True', 'TooFewReplicas']);
});

test("with a behavior: the scale-down window the object leaves unset is the controller's (5 minutes)", () => {
  const history = new ScalingHistory(() => now, 300_000);
  history.recommendations.set(key, [{ recommendation: 8, timestamp: now.getTime() - 240_000 }]);
  const h = hpa({ behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } });
  assert.equal(normalizeDesiredReplicasWithBehaviors(h, history, key, 8, 3, 1, now), 8);
  assert.deepEqual(conditions(h)?.[0], ['AbleToScale', 'True', 'ScaleDownStabilized']);
  // A 60-second window lets the same recommendation go: 4 minutes old.
  const short = hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
  history.recommendations.set('short', [{ recommendation: 8, timestamp: now.getTime() - 240_000 }]);
  assert.equal(normalizeDesiredReplicasWithBehaviors(short, history, 'short', 8, 3, 1, now), 3);
  assert.deepEqual(conditions(short), [
    ['AbleToScale', 'True', 'ReadyForNewScale'],
    ['ScalingLimited', 'False', 'DesiredWithinRange'],
  ]);
});

test('with a behavior: a Pods policy limits the scale-up rate (ScaleUpLimit), maxReplicas caps it (TooManyReplicas)', () => {
  const history = new ScalingHistory(() => now, 300_000);
  const h = hpa({ maxReplicas: 20, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } } });
  assert.equal(normalizeDesiredReplicasWithBehaviors(h, history, key, 4, 12, 1, now), 6);
  assert.deepEqual(conditions(h)?.[1], ['ScalingLimited', 'True', 'ScaleUpLimit']);
  history.storeScaleEvent(h.spec.behavior, key, 4, 6);
  // Within the same minute the policy allows nothing more.
  assert.equal(normalizeDesiredReplicasWithBehaviors(h, history, key, 6, 12, 1, now), 6);
  const capped = hpa({ maxReplicas: 5, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 10, periodSeconds: 60 }] } } });
  assert.equal(normalizeDesiredReplicasWithBehaviors(capped, new ScalingHistory(() => now, 300_000), key, 4, 12, 1, now), 5);
  assert.deepEqual(conditions(capped)?.[1], ['ScalingLimited', 'True', 'TooManyReplicas']);
});
