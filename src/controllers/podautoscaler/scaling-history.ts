// What the HPA controller remembers per autoscaler between syncs (upstream horizontal.go's
// recommendations, scaleUpEvents and scaleDownEvents): the unstabilized recommendations, for
// the stabilization windows, and the scale changes it made, for the policies' periods. Old
// entries are reused in place rather than appended, as upstream keeps the lists short.
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from '../../api/types.js';

export interface TimestampedRecommendation {
  recommendation: number;
  timestamp: number;
}

export interface TimestampedScaleEvent {
  /** Replicas added (scale-up list) or removed (scale-down list): never negative. */
  replicaChange: number;
  timestamp: number;
  outdated: boolean;
}

/** What the behavior-aware normalization works on. */
export interface NormalizationArg {
  key: string;
  scaleUpBehavior: HPAScalingRules;
  scaleDownBehavior: HPAScalingRules;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
}

/** A replica count and the ScalingLimited/AbleToScale reason and message that explain it. */
export interface LimitedReplicas {
  replicas: number;
  reason: string;
  message: string;
}

export class ScalingHistory {
  readonly recommendations = new Map<string, TimestampedRecommendation[]>();
  readonly scaleUpEvents = new Map<string, TimestampedScaleEvent[]>();
  readonly scaleDownEvents = new Map<string, TimestampedScaleEvent[]>();

  constructor(
    private readonly now: () => Date,
    /** --horizontal-pod-autoscaler-downscale-stabilization. */
    readonly downscaleStabilisationWindowMs: number,
  ) {}

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  /** The first sync of an autoscaler remembers the current count as a recommendation. */
  recordInitialRecommendation(key: string, currentReplicas: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ recommendation: currentReplicas, timestamp: this.now().getTime() }]);
  }

  /** Without a behavior: the highest recommendation within the downscale stabilization window. */
  stabilizeRecommendation(key: string, prenormalized: number): number {
    const now = this.now().getTime();
    const cutoff = now - this.downscaleStabilisationWindowMs;
    const recs = this.recommendations.get(key) ?? [];
    let max = prenormalized;
    let oldIndex = -1;
    recs.forEach((r, i) => {
      if (r.timestamp < cutoff) oldIndex = i;
      else if (r.recommendation > max) max = r.recommendation;
    });
    this.record(key, recs, oldIndex, prenormalized, now);
    return max;
  }

  /**
   * With a behavior: the current count brought within [lowest recommendation of the scale-up
   * window, highest of the scale-down window], so a brief spike or dip does not move it.
   */
  stabilizeRecommendationWithBehaviors(args: NormalizationArg): LimitedReplicas {
    const now = this.now().getTime();
    const upCutoff = now - (args.scaleUpBehavior.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = now - (args.scaleDownBehavior.stabilizationWindowSeconds ?? 0) * 1000;
    let up = args.desiredReplicas;
    let down = args.desiredReplicas;
    let oldIndex = -1;
    const recs = this.recommendations.get(args.key) ?? [];
    recs.forEach((r, i) => {
      if (r.timestamp > upCutoff) up = Math.min(r.recommendation, up);
      if (r.timestamp > downCutoff) down = Math.max(r.recommendation, down);
      if (r.timestamp < upCutoff && r.timestamp < downCutoff) oldIndex = i;
    });
    let recommendation = args.currentReplicas;
    if (recommendation < up) recommendation = up;
    if (recommendation > down) recommendation = down;
    this.record(args.key, recs, oldIndex, args.desiredReplicas, now);
    return args.desiredReplicas >= args.currentReplicas
      ? { replicas: recommendation, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
      : { replicas: recommendation, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  }

  /** The desired count limited by the policies' rates and by min/max (stabilization is separate). */
  convertDesiredReplicasWithBehaviorRate(args: NormalizationArg): LimitedReplicas {
    const ups = this.scaleUpEvents.get(args.key) ?? [];
    const downs = this.scaleDownEvents.get(args.key) ?? [];
    const now = this.now().getTime();
    if (args.desiredReplicas > args.currentReplicas) {
      // Not below the current count: recent scale-ups under a tighter policy must not scale down.
      const limit = Math.max(args.currentReplicas, calculateScaleUpLimitWithScalingRules(args.currentReplicas, ups, downs, args.scaleUpBehavior, now));
      const [max, reason, message] =
        args.maxReplicas > limit
          ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
          : [args.maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
      if (args.desiredReplicas > max) return { replicas: max, reason, message };
    } else if (args.desiredReplicas < args.currentReplicas) {
      const limit = Math.min(args.currentReplicas, calculateScaleDownLimitWithBehaviors(args.currentReplicas, ups, downs, args.scaleDownBehavior, now));
      const [min, reason, message] =
        args.minReplicas < limit
          ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
          : [args.minReplicas, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
      if (args.desiredReplicas < min) return { replicas: min, reason, message };
    }
    return { replicas: args.desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  }

  /** Remembers a rescale for the policies (only with a behavior), reusing an entry older than the longest period. */
  storeScaleEvent(behavior: HorizontalPodAutoscalerBehavior | undefined, key: string, prevReplicas: number, newReplicas: number): void {
    if (!behavior) return;
    const up = newReplicas > prevReplicas;
    const map = up ? this.scaleUpEvents : this.scaleDownEvents;
    const longest = getLongestPolicyPeriod(up ? behavior.scaleUp : behavior.scaleDown);
    const now = this.now().getTime();
    const events = map.get(key) ?? [];
    markScaleEventsOutdated(events, longest, now);
    let oldIndex = -1;
    events.forEach((e, i) => {
      if (e.outdated) oldIndex = i;
    });
    const ev: TimestampedScaleEvent = { replicaChange: Math.abs(newReplicas - prevReplicas), timestamp: now, outdated: false };
    if (oldIndex >= 0) events[oldIndex] = ev;
    else events.push(ev);
    map.set(key, events);
  }

  private record(key: string, recs: TimestampedRecommendation[], oldIndex: number, recommendation: number, now: number): void {
    const rec = { recommendation, timestamp: now };
    if (oldIndex >= 0) recs[oldIndex] = rec;
    else recs.push(rec);
    this.recommendations.set(key, recs);
  }
}

/** The replicas changed in the direction of the events within the last periodSeconds. */
export function getReplicasChangePerPeriod(periodSeconds: number, events: TimestampedScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.reduce((sum, e) => (e.timestamp > cutoff ? sum + e.replicaChange : sum), 0);
}

/** The most replicas the scale-up policies allow now: from the count at each period's start, Max or Min over the policies. */
export function calculateScaleUpLimitWithScalingRules(currentReplicas: number, ups: TimestampedScaleEvent[], downs: TimestampedScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const periodStart = currentReplicas - getReplicasChangePerPeriod(p.periodSeconds, ups, now) + getReplicasChangePerPeriod(p.periodSeconds, downs, now);
    // Rounded up: a small percentage of a few pods must still allow one more.
    const proposed = p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** The fewest replicas the scale-down policies allow now (Max picks the biggest change, so the lowest count). */
export function calculateScaleDownLimitWithBehaviors(currentReplicas: number, ups: TimestampedScaleEvent[], downs: TimestampedScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const periodStart = currentReplicas - getReplicasChangePerPeriod(p.periodSeconds, ups, now) + getReplicasChangePerPeriod(p.periodSeconds, downs, now);
    const proposed = p.type === 'Pods' ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** Without a behavior: min/max and the fixed scale-up limit (twice the count, at least 4). */
export function convertDesiredReplicasWithRules(currentReplicas: number, desiredReplicas: number, minReplicas: number, maxReplicas: number): LimitedReplicas {
  // A bogus usage report (issue #32304) must not multiply the replicas at once.
  const scaleUpLimit = calculateScaleUpLimit(currentReplicas);
  const [max, reason, message] =
    maxReplicas > scaleUpLimit
      ? [scaleUpLimit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
      : [maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
  if (desiredReplicas < minReplicas) return { replicas: minReplicas, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desiredReplicas > max) return { replicas: max, reason, message };
  return { replicas: desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

/** scaleUpLimitFactor 2, scaleUpLimitMinimum 4. */
export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(2 * currentReplicas, 4));
}

function getLongestPolicyPeriod(rules: HPAScalingRules | undefined): number {
  return Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds));
}

function markScaleEventsOutdated(events: TimestampedScaleEvent[], longestPolicyPeriod: number, now: number): void {
  const cutoff = now - longestPolicyPeriod * 1000;
  for (const e of events) if (e.timestamp < cutoff) e.outdated = true;
}
