// Upstream horizontal_test.go's behavior cases: TestScalingWithRules (policies, periods, min/max),
// TestStoreScaleEvents, TestNormalizeDesiredReplicasWithBehavior and TestNormalizeDesiredReplicas
// (stabilization windows), on a fixed clock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HorizontalPodAutoscaler, HPAScalingRules } from '../../api/types.js';
import { defaultHorizontalPodAutoscaler } from '../../api/defaults/horizontalpodautoscaler.js';
import { getReplicasChangePerPeriod, ScalingHistory, type TimestampedRecommendation, type TimestampedScaleEvent } from './scaling-history.js';

const now = Date.parse('2026-06-01T12:00:00Z');
const clock = () => new Date(now);
const key = 'ns/hpa';
const min = (m: number) => now - m * 60_000;

/** Both directions' rules as the API completes them (SetDefaults_HorizontalPodAutoscalerBehavior). */
function defaulted(up?: HPAScalingRules, down?: HPAScalingRules): { scaleUpBehavior: HPAScalingRules; scaleDownBehavior: HPAScalingRules } {
  const hpa = { spec: { maxReplicas: 1, scaleTargetRef: { kind: 'Deployment', name: 'x' }, behavior: { scaleUp: up, scaleDown: down } } } as HorizontalPodAutoscaler;
  defaultHorizontalPodAutoscaler(hpa);
  return { scaleUpBehavior: hpa.spec.behavior!.scaleUp!, scaleDownBehavior: hpa.spec.behavior!.scaleDown! };
}

function rules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, window: number): HPAScalingRules {
  const r: HPAScalingRules = { stabilizationWindowSeconds: window, selectPolicy: 'Max', policies: [] };
  if (pods) r.policies!.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent) r.policies!.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return r;
}

/** Events spread evenly over the last periodSeconds, each in the middle of its segment (upstream generateEventsUniformDistribution). */
function spread(changes: number[], periodSeconds: number): TimestampedScaleEvent[] {
  const seg = periodSeconds / changes.length;
  return changes.map((c, i) => ({ replicaChange: c, timestamp: now - (periodSeconds - seg * (i + 1) + seg / 2) * 1000, outdated: false }));
}

describe('convertDesiredReplicasWithBehaviorRate (TestScalingWithRules)', () => {
  interface Case {
    name: string;
    ups?: TimestampedScaleEvent[];
    downs?: TimestampedScaleEvent[];
    min: number;
    max: number;
    up?: HPAScalingRules;
    down?: HPAScalingRules;
    current: number;
    desired: number;
    want: number;
    reason: string;
  }
  const cases: Case[] = [
    { name: 'prenormalized desired replicas within range', current: 5, desired: 7, min: 3, max: 8, want: 7, reason: 'DesiredWithinRange' },
    { name: 'prenormalized desired replicas < minReplicas', current: 3, desired: 1, min: 2, max: 8, want: 2, reason: 'TooFewReplicas' },
    { name: 'within range when minReplicas is 0', current: 1, desired: 0, min: 0, max: 10, want: 0, reason: 'DesiredWithinRange' },
    { name: 'maxReplicas is the limit because maxReplicas < scaleUpLimit', current: 20, desired: 1000, min: 1, max: 10, want: 10, reason: 'TooManyReplicas' },
    { name: 'desired replica count is more than the maximum replica count', current: 100, desired: 1000, min: 100, max: 150, want: 150, reason: 'TooManyReplicas' },
    { name: 'scaleUpLimit < maxReplicas with user policies', current: 3, desired: 1000, min: 1, max: 2000, want: 4, reason: 'ScaleUpLimit', up: rules(0, 0, 1, 60, 0) },
    { name: 'scaleUp with default behavior', min: 1, max: 1000, current: 10, desired: 50, want: 20, reason: 'ScaleUpLimit' },
    { name: 'scaleUp with pods policy larger than percent policy', min: 1, max: 1000, up: rules(100, 60, 100, 60, 0), current: 10, desired: 500, want: 110, reason: 'ScaleUpLimit' },
    { name: 'scaleUp with percent policy larger than pods policy', min: 1, max: 1000, up: rules(2, 60, 100, 60, 0), current: 10, desired: 500, want: 20, reason: 'ScaleUpLimit' },
    { name: 'scaleUp with pod policy limitation', min: 1, max: 1000, up: rules(30, 60, 0, 0, 0), current: 10, desired: 50, want: 40, reason: 'ScaleUpLimit' },
    { name: 'scaleUp with percent policy limitation', min: 1, max: 1000, up: rules(0, 0, 200, 60, 0), current: 10, desired: 50, want: 30, reason: 'ScaleUpLimit' },
    { name: 'scaleDown with percent policy larger than pod policy', min: 1, max: 1000, down: rules(20, 60, 1, 60, 300), current: 100, desired: 2, want: 80, reason: 'ScaleDownLimit' },
    { name: 'scaleDown with pod policy larger than percent policy', min: 1, max: 1000, down: rules(2, 60, 1, 60, 300), current: 100, desired: 2, want: 98, reason: 'ScaleDownLimit' },
    { name: 'scaleDown with spec MinReplicas limitation with large pod policy', min: 1, max: 1000, down: rules(100, 60, 0, 0, 300), current: 10, desired: 0, want: 1, reason: 'TooFewReplicas' },
    { name: 'scaleDown with pod policy limitation', min: 1, max: 1000, down: rules(5, 60, 0, 0, 300), current: 10, desired: 2, want: 5, reason: 'ScaleDownLimit' },
    { name: 'scaleDown with percent policy limitation', min: 1, max: 1000, down: rules(0, 0, 50, 60, 300), current: 10, desired: 5, want: 5, reason: 'DesiredWithinRange' },
    { name: 'scaleUp with currentReplicas limitation after a lot of recent scale up events', ups: spread([1, 5, 9], 120), min: 1, max: 1000, up: rules(5, 120, 0, 0, 0), current: 100, desired: 500, want: 100, reason: 'ScaleUpLimit' },
    { name: 'scaleUp with pod policy and previous scale up events', ups: spread([1, 5, 9], 120), min: 1, max: 1000, up: rules(150, 120, 0, 0, 0), current: 100, desired: 500, want: 235, reason: 'ScaleUpLimit' },
    { name: 'scaleUp with percent policy and previous scale up events', ups: spread([1, 5, 9], 120), min: 1, max: 1000, up: rules(0, 0, 200, 120, 0), current: 100, desired: 500, want: 255, reason: 'ScaleUpLimit' },
    { name: 'scaleUp with percent policy and previous scale up and down events', ups: spread([4], 120), downs: spread([2], 120), min: 1, max: 1000, up: rules(0, 0, 300, 300, 0), current: 6, desired: 24, want: 16, reason: 'ScaleUpLimit' },
    { name: 'scaleDown with default policy and previous events', downs: spread([1, 5, 9], 120), min: 1, max: 1000, current: 10, desired: 5, want: 5, reason: 'DesiredWithinRange' },
    { name: 'scaleDown with pod policy limitation and previous events', downs: spread([1, 5, 9], 120), min: 1, max: 1000, down: rules(5, 120, 0, 0, 300), current: 100, desired: 2, want: 100, reason: 'ScaleDownLimit' },
    { name: 'scaleDown with percent policy limitation and previous events', downs: spread([2, 4, 6], 120), min: 1, max: 1000, down: rules(0, 0, 50, 120, 300), current: 100, desired: 0, want: 56, reason: 'ScaleDownLimit' },
    { name: 'scaleDown with percent policy and previous scale up and down events', ups: spread([2], 120), downs: spread([4], 120), min: 1, max: 1000, down: rules(0, 0, 50, 180, 0), current: 10, desired: 1, want: 6, reason: 'ScaleDownLimit' },
    { name: 'scaleDown with previous events preventing further scale down', downs: spread([10, 10, 10], 120), min: 1, max: 1000, down: rules(0, 0, 10, 120, 300), current: 100, desired: 0, want: 100, reason: 'ScaleDownLimit' },
    { name: 'check that events were marked outdated for two different policies, up', ups: spread([8, 12, 9, 11], 120), min: 1, max: 1000, up: rules(1000, 30, 100, 60, 0), current: 100, desired: 200, want: 200, reason: 'DesiredWithinRange' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const h = new ScalingHistory(clock, 300_000);
      h.scaleUpEvents.set(key, c.ups ?? []);
      h.scaleDownEvents.set(key, c.downs ?? []);
      const r = h.convertDesiredReplicasWithBehaviorRate({
        key,
        ...defaulted(c.up, c.down),
        minReplicas: c.min,
        maxReplicas: c.max,
        currentReplicas: c.current,
        desiredReplicas: c.desired,
      });
      assert.deepEqual([r.replicas, r.reason], [c.want, c.reason]);
    });
  }

  test('selectPolicy Min takes the smallest change, Disabled none', () => {
    const h = new ScalingHistory(clock, 300_000);
    const base = { key, minReplicas: 1, maxReplicas: 1000, currentReplicas: 10, scaleDownBehavior: defaulted().scaleDownBehavior };
    const minUp = h.convertDesiredReplicasWithBehaviorRate({ ...base, desiredReplicas: 500, scaleUpBehavior: { ...rules(2, 60, 100, 60, 0), selectPolicy: 'Min' } });
    assert.deepEqual([minUp.replicas, minUp.reason], [12, 'ScaleUpLimit']);
    const disabled = h.convertDesiredReplicasWithBehaviorRate({ ...base, desiredReplicas: 500, scaleUpBehavior: { ...rules(2, 60, 100, 60, 0), selectPolicy: 'Disabled' } });
    assert.deepEqual([disabled.replicas, disabled.reason], [10, 'ScaleUpLimit']);
    const minDown = h.convertDesiredReplicasWithBehaviorRate({ ...base, scaleUpBehavior: defaulted().scaleUpBehavior, desiredReplicas: 1, scaleDownBehavior: { ...rules(2, 60, 50, 60, 300), selectPolicy: 'Min' } });
    assert.deepEqual([minDown.replicas, minDown.reason], [8, 'ScaleDownLimit']);
  });
});

describe('storeScaleEvent (TestStoreScaleEvents)', () => {
  const ev = (change: number, secondsAgo: number): TimestampedScaleEvent => ({ replicaChange: change, timestamp: now - secondsAgo * 1000, outdated: false });
  const cases: { name: string; prev: TimestampedScaleEvent[]; next: [number, boolean][]; rules?: HPAScalingRules; change: number }[] = [
    { name: 'empty entries with default behavior', prev: [], next: [], change: 0 },
    { name: 'empty entries with two-policy-behavior', prev: [], next: [[5, false]], rules: rules(10, 60, 100, 60, 0), change: 0 },
    { name: 'one outdated entry to be kept untouched without behavior', prev: [ev(7, 61)], next: [[7, false]], change: 0 },
    { name: 'one outdated entry to be replaced with behavior', prev: [ev(7, 61)], next: [[5, false]], rules: rules(10, 60, 100, 60, 0), change: 0 },
    { name: 'one actual entry to be not touched with behavior', prev: [ev(7, 58)], next: [[7, false], [5, false]], rules: rules(10, 60, 100, 60, 0), change: 7 },
    { name: 'two entries, one of them to be replaced', prev: [ev(7, 61), ev(6, 59)], next: [[5, false], [6, false]], rules: rules(10, 60, 0, 0, 0), change: 6 },
    { name: 'replace one entry, use policies with different periods', prev: [ev(8, 29), ev(6, 59), ev(7, 61), ev(9, 61)], next: [[8, false], [6, false], [7, true], [5, false]], rules: rules(10, 60, 100, 30, 0), change: 14 },
    { name: 'two entries, both actual', prev: [ev(7, 58), ev(6, 59)], next: [[7, false], [6, false], [5, false]], rules: rules(10, 120, 100, 30, 0), change: 13 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      for (const up of [true, false]) {
        const h = new ScalingHistory(clock, 300_000);
        const map = up ? h.scaleUpEvents : h.scaleDownEvents;
        map.set(key, c.prev.map((e) => ({ ...e })));
        assert.equal(getReplicasChangePerPeriod(60, map.get(key)!, now), c.change);
        h.storeScaleEvent(c.rules ? (up ? { scaleUp: c.rules } : { scaleDown: c.rules }) : undefined, key, 10, up ? 15 : 5);
        assert.deepEqual(map.get(key)!.map((e) => [e.replicaChange, e.outdated]), c.next);
      }
    });
  }
});

describe('stabilization windows', () => {
  const rec = (r: number, at: number): TimestampedRecommendation => ({ recommendation: r, timestamp: at });

  test('stabilizeRecommendationWithBehaviors (TestNormalizeDesiredReplicasWithBehavior)', () => {
    const cases: { name: string; recs: TimestampedRecommendation[]; current: number; desired: number; want: number; stored?: number[]; up?: number; down?: number }[] = [
      { name: 'empty recommendations for scaling down', recs: [], current: 100, desired: 5, want: 5, stored: [5] },
      { name: 'simple scale down stabilization', recs: [rec(4, min(2)), rec(5, min(1))], current: 100, desired: 3, want: 5, stored: [4, 5, 3], down: 180 },
      { name: 'simple scale up stabilization', recs: [rec(4, min(2)), rec(5, min(1))], current: 1, desired: 7, want: 4, stored: [4, 5, 7], up: 300 },
      { name: 'no scale down stabilization', recs: [rec(1, min(2)), rec(2, min(1))], current: 100, desired: 3, want: 3, stored: [1, 2, 3], up: 300 },
      { name: 'no scale up stabilization', recs: [rec(4, min(2)), rec(5, min(1))], current: 1, desired: 3, want: 3, stored: [4, 5, 3], down: 300 },
      { name: 'no scale down stabilization, reuse recommendation element', recs: [rec(10, min(10)), rec(9, min(9))], current: 100, desired: 3, want: 3, stored: [10, 3] },
      { name: 'scale down stabilization, reuse one of obsolete recommendation element', recs: [rec(10, min(10)), rec(4, min(1)), rec(5, min(2)), rec(9, min(9))], current: 100, desired: 3, want: 5, stored: [10, 4, 5, 3], down: 180 },
      { name: 'scale up stabilization, reuse one of obsolete recommendation element', recs: [rec(10, min(100)), rec(6, min(1)), rec(5, min(2)), rec(9, min(3))], current: 1, desired: 100, want: 5, stored: [100, 6, 5, 9], up: 300 },
      { name: 'do not scale up when prenormalized rec goes down', recs: [rec(2, min(100)), rec(3, min(3))], current: 2, desired: 1, want: 2, up: 300, down: 300 },
      { name: 'do not scale down when prenormalized rec goes up', recs: [rec(2, min(100)), rec(1, min(3))], current: 2, desired: 3, want: 2, up: 300, down: 300 },
    ];
    for (const c of cases) {
      const h = new ScalingHistory(clock, 300_000);
      h.recommendations.set(key, c.recs.map((r) => ({ ...r })));
      const r = h.stabilizeRecommendationWithBehaviors({
        key,
        currentReplicas: c.current,
        desiredReplicas: c.desired,
        minReplicas: 1,
        maxReplicas: 1000,
        scaleUpBehavior: { stabilizationWindowSeconds: c.up ?? 0 },
        scaleDownBehavior: { stabilizationWindowSeconds: c.down ?? 0 },
      });
      assert.equal(r.replicas, c.want, c.name);
      if (c.stored) assert.deepEqual(h.recommendations.get(key)!.map((x) => x.recommendation), c.stored, c.name);
    }
  });

  test('stabilizeRecommendation without a behavior: the highest within the 5-minute window (TestNormalizeDesiredReplicas)', () => {
    const cases: { name: string; recs: TimestampedRecommendation[]; desired: number; want: number; length: number }[] = [
      { name: 'empty log', recs: [], desired: 5, want: 5, length: 1 },
      { name: 'stabilize', recs: [rec(4, min(2)), rec(5, min(1))], desired: 3, want: 5, length: 3 },
      { name: 'no stabilize', recs: [rec(1, min(2)), rec(2, min(1))], desired: 3, want: 3, length: 3 },
      { name: 'no stabilize - old recommendations', recs: [rec(10, min(10)), rec(9, min(9))], desired: 3, want: 3, length: 2 },
      { name: 'stabilize - old recommendations', recs: [rec(10, min(10)), rec(4, min(1)), rec(5, min(2)), rec(9, min(9))], desired: 3, want: 5, length: 4 },
    ];
    for (const c of cases) {
      const h = new ScalingHistory(clock, 300_000);
      h.recommendations.set(key, c.recs.map((r) => ({ ...r })));
      assert.equal(h.stabilizeRecommendation(key, c.desired), c.want, c.name);
      assert.equal(h.recommendations.get(key)!.length, c.length, c.name);
    }
  });
});
