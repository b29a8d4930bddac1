// HorizontalPodAutoscaler validation (pkg/apis/autoscaling/validation/validation.go), on the stored
// autoscaling/v2 shape (upstream validates the internal type, which v2 mirrors), with upstream's
// messages and field paths.
import { field, type FieldError } from '../errors.js';
import { isValidQuantity, parseQuantity } from '../quantity.js';
import type {
  ContainerResourceMetricSource,
  CrossVersionObjectReference,
  ExternalMetricSource,
  HPAScalingPolicy,
  HPAScalingRules,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerBehavior,
  HorizontalPodAutoscalerSpec,
  MetricIdentifier,
  MetricSpec,
  MetricTarget,
  ObjectMetricSource,
  PodsMetricSource,
  ResourceMetricSource,
} from '../types.js';
import { goQuantityLiteral } from './go-struct-literal.js';
import { isValidPathSegmentName, nameIsDNSSubdomain, validateDNS1123Label, validateNonnegativeField } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validateContainerResourceName } from './pod-validation.js';

/** The longest scaling policy period (MaxPeriodSeconds). */
export const maxPeriodSeconds = 1800;
/** The longest stabilization window (MaxStabilizationWindowSeconds). */
export const maxStabilizationWindowSeconds = 3600;

const validSelectPolicies = ['Disabled', 'Max', 'Min'];
const validPolicyTypes = ['Percent', 'Pods'];
const validMetricSourceTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

const isSet = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/** A quantity's sign (Quantity.Sign), 0 for what does not parse. */
function sign(q: string | number): number {
  return isValidQuantity(q) ? Math.sign(parseQuantity(q)) : 0;
}

/** ValidateCrossVersionObjectReference */
export function validateCrossVersionObjectReference(ref: Partial<CrossVersionObjectReference> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['kind', 'name'] as const) {
    const value = ref?.[key] ?? '';
    if (!value) errs.push(field.required(`${path}.${key}`, ''));
    else for (const msg of isValidPathSegmentName(value)) errs.push(field.invalid(`${path}.${key}`, value, msg));
  }
  return errs;
}

function validateMetricIdentifier(id: Partial<MetricIdentifier> | undefined, path: string): FieldError[] {
  const name = id?.name ?? '';
  if (!name) return [field.required(`${path}.name`, 'must specify a metric name')];
  return isValidPathSegmentName(name).map((msg) => field.invalid(`${path}.name`, name, msg));
}

function validateMetricTarget(mt: Partial<MetricTarget> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = mt?.type ?? '';
  if (!type) errs.push(field.required(`${path}.type`, 'must specify a metric target type'));
  if (type !== 'Utilization' && type !== 'Value' && type !== 'AverageValue') {
    errs.push(field.invalid(`${path}.type`, type, 'must be either Utilization, Value, or AverageValue'));
  }
  if (isSet(mt?.value) && sign(mt.value) !== 1) errs.push(field.invalid(`${path}.value`, goQuantityLiteral(mt.value), 'must be positive'));
  if (isSet(mt?.averageValue) && sign(mt.averageValue) !== 1) {
    errs.push(field.invalid(`${path}.averageValue`, goQuantityLiteral(mt.averageValue), 'must be positive'));
  }
  if (isSet(mt?.averageUtilization) && mt.averageUtilization < 1) errs.push(field.invalid(`${path}.averageUtilization`, mt.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateObjectSource(src: ObjectMetricSource, path: string): FieldError[] {
  const errs = [
    ...validateCrossVersionObjectReference(src.describedObject, `${path}.describedObject`),
    ...validateMetricIdentifier(src.metric, `${path}.metric`),
    ...validateMetricTarget(src.target, `${path}.target`),
  ];
  if (!isSet(src.target?.value) && !isSet(src.target?.averageValue)) errs.push(field.required(`${path}.target.averageValue`, 'must set either a target value or averageValue'));
  return errs;
}

function validateExternalSource(src: ExternalMetricSource, path: string): FieldError[] {
  const errs = [...validateMetricIdentifier(src.metric, `${path}.metric`), ...validateMetricTarget(src.target, `${path}.target`)];
  const value = isSet(src.target?.value);
  const average = isSet(src.target?.averageValue);
  if (!value && !average) errs.push(field.required(`${path}.target.averageValue`, 'must set either a target value for metric or a per-pod target'));
  if (value && average) errs.push(field.forbidden(`${path}.target.value`, 'may not set both a target value for metric and a per-pod target'));
  return errs;
}

function validatePodsSource(src: PodsMetricSource, path: string): FieldError[] {
  const errs = [...validateMetricIdentifier(src.metric, `${path}.metric`), ...validateMetricTarget(src.target, `${path}.target`)];
  if (!isSet(src.target?.averageValue)) errs.push(field.required(`${path}.target.averageValue`, 'must specify a positive target averageValue'));
  return errs;
}

/** The target rules Resource and ContainerResource metrics share: a utilization or an average value, not both. */
function validateResourceTarget(target: MetricTarget | undefined, path: string): FieldError[] {
  const errs = validateMetricTarget(target, `${path}.target`);
  const utilization = isSet(target?.averageUtilization);
  const average = isSet(target?.averageValue);
  if (!utilization && !average) errs.push(field.required(`${path}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
  if (utilization && average) errs.push(field.forbidden(`${path}.target.averageValue`, 'may not set both a target raw value and a target utilization'));
  return errs;
}

function validateResourceSource(src: ResourceMetricSource, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!src.name) errs.push(field.required(`${path}.name`, 'must specify a resource name'));
  return [...errs, ...validateResourceTarget(src.target, path)];
}

function validateContainerResourceSource(src: ContainerResourceMetricSource, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!src.name) errs.push(field.required(`${path}.name`, 'must specify a resource name'));
  else errs.push(...validateContainerResourceName(src.name, `${path}.name`));
  if (!src.container) errs.push(field.required(`${path}.container`, 'must specify a container'));
  else errs.push(...validateDNS1123Label(src.container, `${path}.container`));
  return [...errs, ...validateResourceTarget(src.target, path)];
}

/** The source fields of a MetricSpec, in the order upstream checks them, with their validators. */
const metricSources = [
  ['object', (s: MetricSpec, p: string) => validateObjectSource(s.object!, p)],
  ['external', (s: MetricSpec, p: string) => validateExternalSource(s.external!, p)],
  ['pods', (s: MetricSpec, p: string) => validatePodsSource(s.pods!, p)],
  ['resource', (s: MetricSpec, p: string) => validateResourceSource(s.resource!, p)],
  ['containerResource', (s: MetricSpec, p: string) => validateContainerResourceSource(s.containerResource!, p)],
] as const;

/** The source field each metric type needs. */
const sourceOfType: Record<string, (typeof metricSources)[number][0]> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};

/** validateMetricSpec: a known type, its source set, and no other source (only the first set source is validated). */
function validateMetricSpec(spec: MetricSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = spec.type ?? '';
  if (!type) errs.push(field.required(`${path}.type`, 'must specify a metric source type'));
  if (!validMetricSourceTypes.includes(type)) errs.push(field.notSupported(`${path}.type`, type, validMetricSourceTypes));
  const present: string[] = [];
  for (const [name, validate] of metricSources) {
    if (!isSet(spec[name])) continue;
    present.push(name);
    if (present.length === 1) errs.push(...validate(spec, `${path}.${name}`));
  }
  const expected = sourceOfType[type];
  if (expected && !isSet(spec[expected])) errs.push(field.required(`${path}.${expected}`, 'must populate information for the given metric source'));
  // A second NotSupported for an unknown type, as upstream's switch default adds it again.
  if (!expected) errs.push(field.notSupported(`${path}.type`, type, validMetricSourceTypes));
  if (present.length !== 1) {
    for (const name of present) if (name !== expected) errs.push(field.forbidden(`${path}.${name}`, 'must populate the given metric source only'));
  }
  return errs;
}

function validateMetrics(metrics: MetricSpec[] | undefined, path: string, minReplicas: number | undefined): FieldError[] {
  const errs: FieldError[] = [];
  (metrics ?? []).forEach((m, i) => errs.push(...validateMetricSpec(m, `${path}[${i}]`)));
  const scalesToZero = (metrics ?? []).some((m) => m.type === 'Object' || m.type === 'External');
  if (minReplicas === 0 && !scalesToZero) errs.push(field.forbidden(path, 'must specify at least one Object or External metric to support scaling to zero replicas'));
  return errs;
}

function validateScalingPolicy(policy: HPAScalingPolicy, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!validPolicyTypes.includes(policy.type)) errs.push(field.notSupported(`${path}.type`, policy.type ?? '', validPolicyTypes));
  if (!((policy.value ?? 0) > 0)) errs.push(field.invalid(`${path}.value`, policy.value ?? 0, 'must be greater than zero'));
  const period = policy.periodSeconds ?? 0;
  if (period <= 0) errs.push(field.invalid(`${path}.periodSeconds`, period, 'must be greater than zero'));
  if (period > maxPeriodSeconds) errs.push(field.invalid(`${path}.periodSeconds`, period, `must be less than or equal to ${maxPeriodSeconds}`));
  return errs;
}

function validateScalingRules(rules: HPAScalingRules | undefined | null, path: string): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (isSet(window) && window < 0) errs.push(field.invalid(`${path}.stabilizationWindowSeconds`, window, 'must be greater than or equal to zero'));
  if (isSet(window) && window > maxStabilizationWindowSeconds) {
    errs.push(field.invalid(`${path}.stabilizationWindowSeconds`, window, `must be less than or equal to ${maxStabilizationWindowSeconds}`));
  }
  if (isSet(rules.selectPolicy) && !validSelectPolicies.includes(rules.selectPolicy)) errs.push(field.notSupported(`${path}.selectPolicy`, rules.selectPolicy, validSelectPolicies));
  if (isSet(rules.tolerance) && sign(rules.tolerance) < 0) errs.push(field.invalid(`${path}.tolerance`, goQuantityLiteral(rules.tolerance), 'must be greater than or equal to zero'));
  if (!rules.policies?.length) errs.push(field.required(`${path}.policies`, 'must specify at least one Policy'));
  (rules.policies ?? []).forEach((p, i) => errs.push(...validateScalingPolicy(p, `${path}.policies[${i}]`)));
  return errs;
}

function validateBehavior(behavior: HorizontalPodAutoscalerBehavior | undefined | null, path: string): FieldError[] {
  if (!behavior) return [];
  return [...validateScalingRules(behavior.scaleUp, `${path}.scaleUp`), ...validateScalingRules(behavior.scaleDown, `${path}.scaleDown`)];
}

function validateSpec(spec: HorizontalPodAutoscalerSpec, path: string, minReplicasLowerBound: number): FieldError[] {
  const errs: FieldError[] = [];
  const min = spec.minReplicas ?? undefined;
  if (min !== undefined && min < minReplicasLowerBound) errs.push(field.invalid(`${path}.minReplicas`, min, `must be greater than or equal to ${minReplicasLowerBound}`));
  const max = spec.maxReplicas ?? 0;
  if (max < 1) errs.push(field.invalid(`${path}.maxReplicas`, max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(field.invalid(`${path}.maxReplicas`, max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateCrossVersionObjectReference(spec.scaleTargetRef, `${path}.scaleTargetRef`));
  errs.push(...validateMetrics(spec.metrics, `${path}.metrics`, min));
  errs.push(...validateBehavior(spec.behavior, `${path}.behavior`));
  return errs;
}

/**
 * ValidateHorizontalPodAutoscaler. minReplicas may be 0 only with the HPAScaleToZero feature gate
 * (alpha, off as on a default cluster), so its lower bound is 1.
 */
export function validateHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): FieldError[] {
  return [...validateObjectMeta(hpa.metadata, true, nameIsDNSSubdomain), ...validateSpec(hpa.spec ?? {}, 'spec', 1)];
}

/** ValidateHorizontalPodAutoscalerUpdate: an autoscaler already at minReplicas 0 may stay there. */
export function validateHorizontalPodAutoscalerUpdate(hpa: HorizontalPodAutoscaler, old: HorizontalPodAutoscaler): FieldError[] {
  const lowerBound = old.spec?.minReplicas === 0 ? 0 : 1;
  return [...validateObjectMetaUpdate(hpa.metadata, old.metadata), ...validateSpec(hpa.spec ?? {}, 'spec', lowerBound)];
}

/** ValidateHorizontalPodAutoscalerStatusUpdate: replica counts not negative. */
export function validateHorizontalPodAutoscalerStatusUpdate(hpa: HorizontalPodAutoscaler, old: HorizontalPodAutoscaler): FieldError[] {
  return [
    ...validateObjectMetaUpdate(hpa.metadata, old.metadata),
    ...validateNonnegativeField(hpa.status?.currentReplicas ?? 0, 'status.currentReplicas'),
    ...validateNonnegativeField(hpa.status?.desiredReplicas ?? 0, 'status.desiredReplicas'),
  ];
}
