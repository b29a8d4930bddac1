// autoscaling/v1 HorizontalPodAutoscaler ⇄ autoscaling/v2 (pkg/apis/autoscaling/v1/conversion.go
// through the internal type, which v2 mirrors). v1 knows one CPU utilization target; everything
// else v2 holds travels in annotations, so a v2 object read and written back as v1 loses nothing:
//   autoscaling.alpha.kubernetes.io/metrics          metrics other than a cpu utilization target (v1 MetricSpec JSON)
//   autoscaling.alpha.kubernetes.io/current-metrics  status.currentMetrics, all of them (v1 MetricStatus JSON)
//   autoscaling.alpha.kubernetes.io/conditions       status.conditions
//   autoscaling.alpha.kubernetes.io/behavior         spec.behavior, as Go marshals the internal type (no JSON tags: Go field names)
// The annotations exist only on v1 views: they are dropped on the way to storage.
import { ApiError } from '../errors.js';
import type {
  AutoscalingV1HorizontalPodAutoscaler as V1HPA,
  CrossVersionObjectReference,
  LabelSelector,
  MetricIdentifier,
  AutoscalingV1MetricSpec as V1MetricSpec,
  AutoscalingV1MetricStatus as V1MetricStatus,
  HPAScalingRules,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerBehavior,
  HorizontalPodAutoscalerCondition,
  KubeObject,
  MetricSourceType,
  MetricSpec,
  MetricStatus,
  ObjectMeta,
} from '../types.js';
import { defaultMetrics } from '../defaults/horizontalpodautoscaler.js';

export const metricSpecsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
export const metricStatusesAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
export const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';
const roundTripAnnotations = [metricSpecsAnnotation, behaviorAnnotation, metricStatusesAnnotation, conditionsAnnotation];

/** A zero resource.Quantity as a non-pointer Quantity field marshals. */
const zeroQuantity = '0';

/** Drops keys whose value is undefined, as omitempty drops unset pointers. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The metadata with the round-trip annotations removed (DropRoundTripHorizontalPodAutoscalerAnnotations):
 * they belong to v1 views only, and upstream's v2 conversion drops them from v2 objects too.
 */
export function withoutRoundTripAnnotations(metadata: ObjectMeta | undefined): ObjectMeta {
  const out: ObjectMeta = { ...metadata };
  if (!out.annotations) return out;
  const annotations = Object.fromEntries(Object.entries(out.annotations).filter(([k]) => !roundTripAnnotations.includes(k)));
  if (Object.keys(annotations).length) out.annotations = annotations;
  else delete out.annotations;
  return out;
}

/** An annotation's JSON; a malformed one fails the request as upstream's conversion error does. */
function parseAnnotation<T>(metadata: ObjectMeta | undefined, key: string): T | undefined {
  const text = metadata?.annotations?.[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw ApiError.badRequest(`annotation ${key}: ${(e as Error).message}`);
  }
}

/** A v2 object reference as v1 writes it (apiVersion omitted when empty). */
const refToV1 = (r: CrossVersionObjectReference) => compact({ kind: r.kind, name: r.name, apiVersion: r.apiVersion || undefined });
const refFromV1 = (r: CrossVersionObjectReference | undefined) => compact({ kind: r?.kind ?? '', name: r?.name ?? '', apiVersion: r?.apiVersion });
/** A v2 MetricIdentifier from v1's separate name and selector fields. */
const identifier = (name: string, selector: LabelSelector | undefined | null): MetricIdentifier => compact({ name, selector: selector ?? undefined });

const isCPUUtilization = (m: MetricSpec) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.averageUtilization != null;

// ---- metric specs and statuses (the annotations' v1 shapes) ----

function metricSpecToV1(m: MetricSpec): V1MetricSpec {
  const out: V1MetricSpec = { type: m.type as MetricSourceType };
  if (m.object) {
    out.object = compact({
      target: refToV1(m.object.describedObject),
      metricName: m.object.metric.name,
      targetValue: m.object.target.value ?? zeroQuantity,
      selector: m.object.metric.selector ?? undefined,
      averageValue: m.object.target.averageValue ?? undefined,
    });
  }
  if (m.pods) out.pods = compact({ metricName: m.pods.metric.name, targetAverageValue: m.pods.target.averageValue ?? zeroQuantity, selector: m.pods.metric.selector ?? undefined });
  if (m.resource) {
    out.resource = compact({ name: m.resource.name, targetAverageUtilization: m.resource.target.averageUtilization ?? undefined, targetAverageValue: m.resource.target.averageValue ?? undefined });
  }
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = compact({ name: c.name, targetAverageUtilization: c.target.averageUtilization ?? undefined, targetAverageValue: c.target.averageValue ?? undefined, container: c.container });
  }
  if (m.external) {
    out.external = compact({
      metricName: m.external.metric.name,
      metricSelector: m.external.metric.selector ?? undefined,
      targetValue: m.external.target.value ?? undefined,
      targetAverageValue: m.external.target.averageValue ?? undefined,
    });
  }
  return out;
}

function metricSpecFromV1(m: V1MetricSpec): MetricSpec {
  const out: MetricSpec = { type: m.type };
  if (m.object) {
    out.object = {
      describedObject: refFromV1(m.object.target),
      target: compact({ type: m.object.averageValue == null ? 'Value' : 'AverageValue', value: m.object.targetValue ?? zeroQuantity, averageValue: m.object.averageValue ?? undefined }),
      metric: identifier(m.object.metricName, m.object.selector),
    };
  }
  if (m.pods) {
    out.pods = {
      metric: identifier(m.pods.metricName, m.pods.selector),
      target: { type: 'AverageValue', averageValue: m.pods.targetAverageValue ?? zeroQuantity },
    };
  }
  const resourceTarget = (utilization: number | undefined, averageValue: string | undefined) =>
    compact({ type: utilization == null ? 'AverageValue' : 'Utilization', averageValue: averageValue ?? undefined, averageUtilization: utilization ?? undefined });
  if (m.resource) out.resource = { name: m.resource.name, target: resourceTarget(m.resource.targetAverageUtilization, m.resource.targetAverageValue) };
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = { name: c.name, target: resourceTarget(c.targetAverageUtilization, c.targetAverageValue), container: c.container };
  }
  if (m.external) {
    out.external = {
      metric: identifier(m.external.metricName, m.external.metricSelector),
      target: compact({ type: m.external.targetValue == null ? 'AverageValue' : 'Value', value: m.external.targetValue ?? undefined, averageValue: m.external.targetAverageValue ?? undefined }),
    };
  }
  return out;
}

function metricStatusToV1(m: MetricStatus): V1MetricStatus {
  const out: V1MetricStatus = { type: m.type as MetricSourceType };
  if (m.object) {
    out.object = compact({
      target: refToV1(m.object.describedObject),
      metricName: m.object.metric.name,
      currentValue: m.object.current.value ?? zeroQuantity,
      selector: m.object.metric.selector ?? undefined,
      averageValue: m.object.current.averageValue ?? undefined,
    });
  }
  if (m.pods) out.pods = compact({ metricName: m.pods.metric.name, currentAverageValue: m.pods.current.averageValue ?? zeroQuantity, selector: m.pods.metric.selector ?? undefined });
  if (m.resource) {
    const r = m.resource;
    out.resource = compact({ name: r.name, currentAverageUtilization: r.current.averageUtilization ?? undefined, currentAverageValue: r.current.averageValue ?? zeroQuantity });
  }
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = compact({
      name: c.name,
      currentAverageUtilization: c.current.averageUtilization ?? undefined,
      currentAverageValue: c.current.averageValue ?? zeroQuantity,
      container: c.container,
    });
  }
  if (m.external) {
    out.external = compact({
      metricName: m.external.metric.name,
      metricSelector: m.external.metric.selector ?? undefined,
      currentValue: m.external.current.value ?? zeroQuantity,
      currentAverageValue: m.external.current.averageValue ?? undefined,
    });
  }
  return out;
}

function metricStatusFromV1(m: V1MetricStatus): MetricStatus {
  const out: MetricStatus = { type: m.type };
  if (m.object) {
    out.object = {
      metric: identifier(m.object.metricName, m.object.selector),
      current: compact({ value: m.object.currentValue ?? zeroQuantity, averageValue: m.object.averageValue ?? undefined }),
      describedObject: refFromV1(m.object.target),
    };
  }
  if (m.pods) out.pods = { metric: identifier(m.pods.metricName, m.pods.selector), current: { averageValue: m.pods.currentAverageValue ?? zeroQuantity } };
  if (m.resource) {
    out.resource = { name: m.resource.name, current: compact({ averageValue: m.resource.currentAverageValue ?? zeroQuantity, averageUtilization: m.resource.currentAverageUtilization ?? undefined }) };
  }
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = { name: c.name, current: compact({ averageValue: c.currentAverageValue ?? zeroQuantity, averageUtilization: c.currentAverageUtilization ?? undefined }), container: c.container };
  }
  if (m.external) {
    out.external = {
      metric: identifier(m.external.metricName, m.external.metricSelector),
      current: compact({ value: m.external.currentValue ?? zeroQuantity, averageValue: m.external.currentAverageValue ?? undefined }),
    };
  }
  return out;
}

// ---- behavior (the internal type's Go field names; nil pointers as null) ----

interface GoScalingRules {
  StabilizationWindowSeconds: number | null;
  SelectPolicy: string | null;
  Policies: { Type: string; Value: number; PeriodSeconds: number }[] | null;
  Tolerance: string | null;
}

function rulesToGo(r: HPAScalingRules | undefined | null): GoScalingRules | null {
  if (!r) return null;
  return {
    StabilizationWindowSeconds: r.stabilizationWindowSeconds ?? null,
    SelectPolicy: r.selectPolicy ?? null,
    Policies: r.policies ? r.policies.map((p) => ({ Type: p.type, Value: p.value, PeriodSeconds: p.periodSeconds })) : null,
    Tolerance: r.tolerance ?? null,
  };
}

/** A Go struct's field by name, matched as encoding/json matches it (exact first, then case-insensitively). */
function goField(o: unknown, name: string): unknown {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  if (name in rec) return rec[name];
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : rec[key];
}

function rulesFromGo(o: unknown): HPAScalingRules | undefined {
  if (o === null || o === undefined) return undefined;
  const policies = goField(o, 'Policies');
  return compact({
    stabilizationWindowSeconds: (goField(o, 'StabilizationWindowSeconds') as number | null) ?? undefined,
    selectPolicy: (goField(o, 'SelectPolicy') as string | null) ?? undefined,
    policies: Array.isArray(policies)
      ? policies.map((p) => ({ type: goField(p, 'Type') as string, value: goField(p, 'Value') as number, periodSeconds: goField(p, 'PeriodSeconds') as number }))
      : undefined,
    tolerance: (goField(o, 'Tolerance') as string | null) ?? undefined,
  });
}

/** The behavior annotation's value, or nothing when it does not parse or says nothing (only well-formed data moves to fields). */
function behaviorFromAnnotation(text: string | undefined): HorizontalPodAutoscalerBehavior | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const scaleUp = rulesFromGo(goField(parsed, 'ScaleUp'));
  const scaleDown = rulesFromGo(goField(parsed, 'ScaleDown'));
  if (!scaleUp && !scaleDown) return undefined;
  return compact({ scaleUp, scaleDown });
}

// ---- the object ----

/** A stored autoscaling/v2 autoscaler as autoscaling/v1 shows it. */
export function horizontalPodAutoscalerToV1(hpa: HorizontalPodAutoscaler): V1HPA {
  const spec = hpa.spec;
  const status = hpa.status;
  const metrics = spec.metrics ?? [];
  const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  // The last cpu utilization reading, as the upstream loop leaves it.
  const cpuNow = (status?.currentMetrics ?? []).filter((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.current.averageUtilization != null).at(-1);
  const metadata = withoutRoundTripAnnotations(hpa.metadata);
  const annotations: Record<string, string> = {};
  const otherMetrics = metrics.filter((m) => !isCPUUtilization(m)).map(metricSpecToV1);
  if (otherMetrics.length) annotations[metricSpecsAnnotation] = JSON.stringify(otherMetrics);
  if (status?.currentMetrics?.length) annotations[metricStatusesAnnotation] = JSON.stringify(status.currentMetrics.map(metricStatusToV1));
  if (status?.conditions?.length) annotations[conditionsAnnotation] = JSON.stringify(status.conditions.map(conditionToV1));
  if (spec.behavior) annotations[behaviorAnnotation] = JSON.stringify({ ScaleUp: rulesToGo(spec.behavior.scaleUp), ScaleDown: rulesToGo(spec.behavior.scaleDown) });
  if (Object.keys(annotations).length) metadata.annotations = { ...metadata.annotations, ...annotations };
  return {
    ...hpa,
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: compact({
      scaleTargetRef: refToV1(spec.scaleTargetRef),
      minReplicas: spec.minReplicas ?? undefined,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: cpu?.resource?.target.averageUtilization ?? undefined,
    }),
    // currentReplicas and desiredReplicas have no omitempty in v1: a new autoscaler shows both as 0.
    status: compact({
      observedGeneration: status?.observedGeneration ?? undefined,
      lastScaleTime: status?.lastScaleTime ?? undefined,
      currentReplicas: status?.currentReplicas ?? 0,
      desiredReplicas: status?.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: cpuNow?.resource?.current.averageUtilization ?? undefined,
    }),
  };
}

/** An autoscaling/v1 autoscaler (a request's, or a v1 view written back) as autoscaling/v2 stores it. */
export function horizontalPodAutoscalerFromV1(hpa: V1HPA): HorizontalPodAutoscaler {
  const spec = hpa.spec ?? ({} as V1HPA['spec']);
  const status = hpa.status;
  const cpuTarget = spec.targetCPUUtilizationPercentage;
  let metrics: MetricSpec[] | undefined =
    cpuTarget != null ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpuTarget } } }] : undefined;
  const other = parseAnnotation<V1MetricSpec[]>(hpa.metadata, metricSpecsAnnotation);
  // The annotation's metrics come first, then the cpu target the spec names.
  if (other) metrics = [...other.map(metricSpecFromV1), ...(metrics ?? [])];
  // v1 once defaulted in the controller; v2 defaults explicitly, here where the annotations are known.
  if (!metrics?.length) metrics = defaultMetrics();
  let currentMetrics: MetricStatus[] | undefined =
    status?.currentCPUUtilizationPercentage != null ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }] : undefined;
  const statuses = parseAnnotation<V1MetricStatus[]>(hpa.metadata, metricStatusesAnnotation);
  // The annotation has more than the cpu percentage: it wins.
  if (statuses) currentMetrics = statuses.map(metricStatusFromV1);
  const conditions = parseAnnotation<HorizontalPodAutoscalerCondition[]>(hpa.metadata, conditionsAnnotation);
  const behavior = behaviorFromAnnotation(hpa.metadata?.annotations?.[behaviorAnnotation]);
  const out: HorizontalPodAutoscaler = {
    ...(hpa as KubeObject),
    apiVersion: 'autoscaling/v2',
    metadata: withoutRoundTripAnnotations(hpa.metadata),
    spec: compact({
      scaleTargetRef: refFromV1(spec.scaleTargetRef),
      minReplicas: spec.minReplicas ?? undefined,
      maxReplicas: spec.maxReplicas,
      metrics,
      behavior,
    }),
  };
  if (status) {
    out.status = compact({
      observedGeneration: status.observedGeneration ?? undefined,
      lastScaleTime: status.lastScaleTime ?? undefined,
      currentReplicas: status.currentReplicas || undefined,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentMetrics,
      conditions: conditions?.map(conditionFromV1),
    });
  }
  return out;
}

/** The condition types are the same in both versions: field order as Go writes them. */
function conditionToV1(c: HorizontalPodAutoscalerCondition): HorizontalPodAutoscalerCondition {
  return compact({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime ?? null, reason: c.reason || undefined, message: c.message || undefined }) as HorizontalPodAutoscalerCondition;
}

function conditionFromV1(c: HorizontalPodAutoscalerCondition): HorizontalPodAutoscalerCondition {
  return compact({ type: c.type, status: c.status, lastTransitionTime: c.lastTransitionTime ?? undefined, reason: c.reason || undefined, message: c.message || undefined });
}
