// Job and CronJob validation (pkg/apis/batch/validation/validation.go), with upstream's
// messages and paths. Kept: the generated-selector rules, spec limits, podFailurePolicy,
// successPolicy, restartPolicy, immutable fields on update, the status rules the job
// controller's writes must meet, and CronJob schedule / time zone / template rules.
import { field, omitValue, type FieldError } from '../errors.js';
import { labelSelectorAsRequirements, matchLabels, type LabelRequirement } from '../labels.js';
import type { CronJob, CronJobSpec, Job, JobCondition, JobSpec, LabelSelector } from '../types.js';
import { CronParseError, parseStandard } from '../../util/cron/cron-schedule.js';
import { isKnownTimeZone } from '../../util/cron/zoned-time.js';
import { GoLiteral, goLabelSelector } from './go-literal.js';
import { isDNS1123Label, nameIsDNSSubdomain, validateNonnegativeField, validateQualifiedName } from './names.js';
import { validateImmutableField, validateImmutableStruct, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { validateIndexesFormat } from '../job-indexes.js';

/** Labels the API server puts on a Job's pod template (batch.LegacyJobNameLabel etc.). */
export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const legacyJobNameLabel = 'job-name';
export const legacyControllerUidLabel = 'controller-uid';

const maxParallelismForIndexedJob = 100000;
/** Caps the length of status.completedIndexes and status.failedIndexes. */
const maxFailedIndexesForIndexedJob = 100_000;
/** Above this many completions, backoffLimitPerIndex needs tighter bounds (the per-index state). */
const completionsSoftLimit = 100_000;
const parallelismLimitForHighCompletions = 10_000;
const maxFailedIndexesLimitForHighCompletions = 10_000;
const maxPodFailurePolicyRules = 20;
const maxPodFailurePolicyOnExitCodesValues = 255;
const maxPodFailurePolicyOnPodConditionsPatterns = 20;
const maxSuccessPolicyRule = 20;
const supportedActions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

function selectorRequirements(sel: LabelSelector | undefined): LabelRequirement[] | null | undefined {
  try {
    return labelSelectorAsRequirements(sel);
  } catch {
    return undefined;
  }
}

/** ValidateHasLabel */
function validateHasLabel(labels: Record<string, string> | undefined, path: string, key: string, value: string): FieldError[] {
  if (labels?.[key] === undefined) return [field.required(`${path}.labels`, `must be '${key}=${value}'`)];
  if (labels[key] !== value) return [field.invalid(`${path}.labels`, labels, `must be '${key}=${value}'`)];
  return [];
}

/** validateGeneratedSelector: a generated selector must select the labels the API server added. */
function validateGeneratedSelector(job: Job, requirePrefixedLabels: boolean): FieldError[] {
  if (job.spec.manualSelector === true || !job.spec.selector) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  if (!uid) errs.push(field.required('metadata.uid'));
  const labels = job.spec.template?.metadata?.labels;
  const path = 'spec.template.metadata';
  errs.push(...validateHasLabel(labels, path, legacyControllerUidLabel, uid));
  errs.push(...validateHasLabel(labels, path, legacyJobNameLabel, name));
  const expected: Record<string, string> = {};
  if (requirePrefixedLabels) {
    errs.push(...validateHasLabel(labels, path, controllerUidLabel, uid));
    errs.push(...validateHasLabel(labels, path, jobNameLabel, name));
    expected[controllerUidLabel] = uid;
    expected[jobNameLabel] = name;
  }
  expected[legacyControllerUidLabel] = uid;
  expected[legacyJobNameLabel] = name;
  const reqs = selectorRequirements(job.spec.selector);
  if (reqs !== undefined && !matchLabels(reqs, expected)) {
    errs.push(field.invalid('spec.selector', goLabelSelector(job.spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

export function validateJob(job: Job, requirePrefixedLabels = true): FieldError[] {
  // Jobs and ReplicationControllers share name validation (DNS subdomain).
  const errs = validateObjectMeta(job.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateGeneratedSelector(job, requirePrefixedLabels));
  errs.push(...validateJobSpecWithSelector(job.spec ?? ({} as JobSpec), 'spec'));
  const completions = job.spec?.completions;
  if (job.spec?.completionMode === 'Indexed' && completions != null && completions > 0) {
    // Indexed pods are named <job>-<index>: the largest must be a DNS label.
    const maximumPodHostname = `${job.metadata.name}-${completions - 1}`;
    if (isDNS1123Label(maximumPodHostname).length) {
      errs.push(field.invalid('metadata.name', job.metadata.name, `will not able to create pod with invalid DNS label: ${maximumPodHostname}`));
    }
  }
  return errs;
}

/** ValidateJobSpec: the spec rules plus a required selector that matches the template. */
function validateJobSpecWithSelector(spec: JobSpec, path: string): FieldError[] {
  const errs = validateJobSpec(spec, path);
  if (!spec.selector) errs.push(field.required(`${path}.selector`));
  else errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const reqs = selectorRequirements(spec.selector);
  const labels = spec.template?.metadata?.labels;
  if (reqs !== undefined && !matchLabels(reqs, labels ?? {})) {
    errs.push(field.invalid(`${path}.template.metadata.labels`, labels ?? new GoLiteral('map[string]string(nil)'), '`selector` does not match template `labels`'));
  }
  return errs;
}

/** An Indexed Job with backoffLimitPerIndex and over completionsSoftLimit completions. */
function validateHighCompletionsWithBackoffLimitPerIndex(spec: JobSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const why = `when completions are above ${completionsSoftLimit} and used with backoff limit per index`;
  if (spec.maxFailedIndexes == null) errs.push(field.required(`${path}.maxFailedIndexes`, `must be specified when completions is above ${completionsSoftLimit}`));
  if (spec.parallelism != null && spec.parallelism > parallelismLimitForHighCompletions) {
    errs.push(field.invalid(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${parallelismLimitForHighCompletions} ${why}`));
  }
  if (spec.maxFailedIndexes != null && spec.maxFailedIndexes > maxFailedIndexesLimitForHighCompletions) {
    errs.push(field.invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, `must be less than or equal to ${maxFailedIndexesLimitForHighCompletions} ${why}`));
  }
  return errs;
}

function validateJobSpec(spec: JobSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
    const v = spec[key];
    if (v != null) errs.push(...validateNonnegativeField(v, `${path}.${key}`));
  }
  if (spec.maxFailedIndexes != null && spec.backoffLimitPerIndex == null) {
    errs.push(field.required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  const mode = spec.completionMode;
  if (mode != null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(field.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (spec.completions == null) errs.push(field.required(`${path}.completions`, 'when completion mode is Indexed'));
      if (spec.parallelism != null && spec.parallelism > maxParallelismForIndexedJob) {
        errs.push(field.invalid(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
      }
      if (spec.completions != null && spec.maxFailedIndexes != null && spec.maxFailedIndexes > spec.completions) {
        errs.push(field.invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'must be less than or equal to completions'));
      }
      if (spec.maxFailedIndexes != null && spec.maxFailedIndexes > maxFailedIndexesForIndexedJob) {
        errs.push(field.invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, `must be less than or equal to ${maxFailedIndexesForIndexedJob}`));
      }
      if (spec.completions != null && spec.completions > completionsSoftLimit && spec.backoffLimitPerIndex != null) {
        errs.push(...validateHighCompletionsWithBackoffLimitPerIndex(spec, path));
      }
    }
  }
  if (mode == null || mode === 'NonIndexed') {
    if (spec.backoffLimitPerIndex != null) errs.push(field.invalid(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (spec.maxFailedIndexes != null) errs.push(field.invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (spec.podFailurePolicy) errs.push(...validatePodFailurePolicy(spec, `${path}.podFailurePolicy`));
  if (spec.successPolicy) {
    if (mode !== 'Indexed') errs.push(field.invalid(`${path}.successPolicy`, omitValue, 'requires indexed completion mode'));
    else errs.push(...validateSuccessPolicy(spec, `${path}.successPolicy`));
  }
  errs.push(...validatePodReplacementPolicy(spec, `${path}.podReplacementPolicy`));
  if (spec.template) errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  else errs.push(field.required(`${path}.template`));
  // The pod defaults make an unset restartPolicy Always, hence both are "required".
  const restartPolicy = spec.template?.spec?.restartPolicy;
  const rpPath = `${path}.template.spec.restartPolicy`;
  if (!restartPolicy || restartPolicy === 'Always') errs.push(field.required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') errs.push(field.notSupported(rpPath, restartPolicy, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy && restartPolicy !== 'Never') errs.push(field.invalid(rpPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

function validatePodReplacementPolicy(spec: JobSpec, path: string): FieldError[] {
  const p = spec.podReplacementPolicy;
  if (p == null) return [];
  if (spec.podFailurePolicy) return p !== 'Failed' ? [field.notSupported(path, p, ['Failed'])] : [];
  return p !== 'Failed' && p !== 'TerminatingOrFailed' ? [field.notSupported(path, p, ['Failed', 'TerminatingOrFailed'])] : [];
}

function validatePodFailurePolicy(spec: JobSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.podFailurePolicy?.rules ?? [];
  if (rules.length > maxPodFailurePolicyRules) errs.push(field.tooMany(`${path}.rules`, rules.length, maxPodFailurePolicyRules));
  const containerNames = new Set([...(spec.template?.spec?.containers ?? []), ...(spec.template?.spec?.initContainers ?? [])].map((c) => c.name));
  rules.forEach((rule, i) => {
    const rulePath = `${path}.rules[${i}]`;
    const actionPath = `${rulePath}.action`;
    if (!rule.action) errs.push(field.required(actionPath, `valid values: ["${supportedActions.join('" "')}"]`));
    else if (rule.action === 'FailIndex') {
      if (spec.backoffLimitPerIndex == null) errs.push(field.invalid(actionPath, rule.action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!supportedActions.includes(rule.action)) errs.push(field.notSupported(actionPath, rule.action, supportedActions));
    if (rule.onExitCodes) {
      const p = `${rulePath}.onExitCodes`;
      const req = rule.onExitCodes;
      if (!req.operator) errs.push(field.required(`${p}.operator`, 'valid values: ["In" "NotIn"]'));
      else if (req.operator !== 'In' && req.operator !== 'NotIn') errs.push(field.notSupported(`${p}.operator`, req.operator, ['In', 'NotIn']));
      if (req.containerName != null && !containerNames.has(req.containerName)) {
        errs.push(field.invalid(`${p}.containerName`, req.containerName, 'must be one of the container or initContainer names in the pod template'));
      }
      const values = req.values ?? [];
      const goValues = new GoLiteral(`[]int32{${values.join(', ')}}`);
      if (values.length === 0) errs.push(field.invalid(`${p}.values`, goValues, 'at least one value is required'));
      else if (values.length > maxPodFailurePolicyOnExitCodesValues) errs.push(field.tooMany(`${p}.values`, values.length, maxPodFailurePolicyOnExitCodesValues));
      const seen = new Set<number>();
      let ordered = true;
      values.forEach((v, j) => {
        if (req.operator === 'In' && v === 0) errs.push(field.invalid(`${p}.values[${j}]`, v, 'must not be 0 for the In operator'));
        if (seen.has(v)) errs.push(field.duplicate(`${p}.values[${j}]`, v));
        else seen.add(v);
        if (j > 0 && values[j - 1] > v) ordered = false;
      });
      if (!ordered) errs.push(field.invalid(`${p}.values`, goValues, 'must be ordered'));
    }
    const patterns = rule.onPodConditions ?? [];
    if (patterns.length > maxPodFailurePolicyOnPodConditionsPatterns) errs.push(field.tooMany(`${rulePath}.onPodConditions`, patterns.length, maxPodFailurePolicyOnPodConditionsPatterns));
    patterns.forEach((pattern, j) => {
      const p = `${rulePath}.onPodConditions[${j}]`;
      errs.push(...validateQualifiedName(pattern.type ?? '', `${p}.type`));
      if (!pattern.status) errs.push(field.required(`${p}.status`, 'valid values: ["False" "True" "Unknown"]'));
      else if (!['False', 'True', 'Unknown'].includes(pattern.status)) errs.push(field.notSupported(`${p}.status`, pattern.status, ['False', 'True', 'Unknown']));
    });
    if (rule.onExitCodes && patterns.length > 0) errs.push(field.invalid(rulePath, omitValue, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!rule.onExitCodes && patterns.length === 0) errs.push(field.invalid(rulePath, omitValue, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errs;
}

function validateSuccessPolicy(spec: JobSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.successPolicy?.rules ?? [];
  if (rules.length === 0) errs.push(field.required(`${path}.rules`, 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > maxSuccessPolicyRule) errs.push(field.tooMany(`${path}.rules`, rules.length, maxSuccessPolicyRule));
  const completions = spec.completions ?? 0;
  rules.forEach((rule, i) => {
    const rulePath = `${path}.rules[${i}]`;
    if (rule.succeededCount == null && rule.succeededIndexes == null) errs.push(field.required(rulePath, 'at least one of succeededCount or succeededIndexes must be specified'));
    let total = 0;
    if (rule.succeededIndexes != null) {
      try {
        total = validateIndexesFormat(rule.succeededIndexes, completions);
      } catch (e) {
        errs.push(field.invalid(`${rulePath}.succeededIndexes`, rule.succeededIndexes, `error parsing succeededIndexes: ${(e as Error).message}`));
      }
    }
    if (rule.succeededCount != null) {
      const p = `${rulePath}.succeededCount`;
      errs.push(...validateNonnegativeField(rule.succeededCount, p));
      if (rule.succeededCount > completions) errs.push(field.invalid(p, rule.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`));
      if (rule.succeededIndexes != null && rule.succeededCount > total) {
        errs.push(field.invalid(p, rule.succeededCount, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
      }
    }
  });
  return errs;
}

/** ValidateJobUpdate (with the create rules, as the strategy runs both). */
export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const hadPrefixed = old.spec?.template?.metadata?.labels?.[jobNameLabel] !== undefined && old.spec?.template?.metadata?.labels?.[controllerUidLabel] !== undefined;
  const errs = validateJob(job, hadPrefixed);
  errs.push(...validateObjectMetaUpdate(job.metadata, old.metadata));
  const spec = job.spec ?? ({} as JobSpec);
  const oldSpec = old.spec ?? ({} as JobSpec);
  errs.push(...validateCompletionsUpdate(spec, oldSpec));
  if (JSON.stringify(spec.selector ?? null) !== JSON.stringify(oldSpec.selector ?? null)) {
    errs.push(...validateImmutableField(goLabelSelector(spec.selector), goLabelSelector(oldSpec.selector), 'spec.selector'));
  }
  errs.push(...validateTemplateUpdate(spec, oldSpec, !!oldSpec.suspend && !old.status?.startTime));
  errs.push(...validateImmutableField(spec.completionMode, oldSpec.completionMode, 'spec.completionMode'));
  errs.push(...validateImmutableStruct('batch.v1.PodFailurePolicy', spec.podFailurePolicy, oldSpec.podFailurePolicy, 'spec.podFailurePolicy'));
  errs.push(...validateImmutableField(spec.backoffLimitPerIndex, oldSpec.backoffLimitPerIndex, 'spec.backoffLimitPerIndex'));
  errs.push(...validateImmutableField(spec.managedBy, oldSpec.managedBy, 'spec.managedBy'));
  errs.push(...validateImmutableStruct('batch.v1.SuccessPolicy', spec.successPolicy, oldSpec.successPolicy, 'spec.successPolicy'));
  return errs;
}

/** Completions are immutable, except for an Indexed Job scaled with parallelism in tandem (ElasticIndexedJob). */
function validateCompletionsUpdate(spec: JobSpec, old: JobSpec): FieldError[] {
  if (spec.completionMode !== 'Indexed') return validateImmutableField(spec.completions, old.completions, 'spec.completions');
  if (spec.completions === old.completions || spec.completions == null) return [];
  return spec.completions !== spec.parallelism ? [field.invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism')] : [];
}

/**
 * The pod template is immutable, except the scheduling directives, labels and annotations of
 * a suspended Job that never started.
 */
function validateTemplateUpdate(spec: JobSpec, old: JobSpec, allowScheduling: boolean): FieldError[] {
  let oldTemplate = old.template;
  if (allowScheduling && oldTemplate) {
    oldTemplate = structuredClone(oldTemplate);
    const t = spec.template;
    oldTemplate.spec.nodeSelector = t?.spec?.nodeSelector;
    oldTemplate.spec.tolerations = t?.spec?.tolerations;
    const affinity = { ...(oldTemplate.spec.affinity ?? {}), nodeAffinity: t?.spec?.affinity?.nodeAffinity };
    if (!affinity.nodeAffinity) delete affinity.nodeAffinity;
    oldTemplate.spec.affinity = Object.keys(affinity).length ? affinity : t?.spec?.affinity === undefined ? undefined : affinity;
    oldTemplate.metadata = { ...(oldTemplate.metadata ?? {}), labels: t?.metadata?.labels, annotations: t?.metadata?.annotations };
  }
  return validateImmutableStruct('core.v1.PodTemplateSpec', spec.template, oldTemplate, 'spec.template');
}

function conditionTrue(conditions: JobCondition[] | undefined, type: JobCondition['type']): boolean {
  return !!conditions?.some((c) => c.type === type && c.status === 'True');
}

/** ValidateJobUpdateStatus: the rules a status write must keep (counters, terminal conditions). */
export function validateJobStatusUpdate(job: Job, old: Job): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  const s = job.status ?? {};
  const o = old.status ?? {};
  for (const key of ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const) {
    const v = s[key];
    if (v != null) errs.push(...validateNonnegativeField(v, `status.${key}`));
  }
  const seen = new Set<string>();
  for (const kind of ['succeeded', 'failed'] as const) {
    (s.uncountedTerminatedPods?.[kind] ?? []).forEach((uid, i) => {
      const p = `status.uncountedTerminatedPods.${kind}[${i}]`;
      if (!uid) errs.push(field.invalid(p, uid, 'must not be empty'));
      else if (seen.has(uid)) errs.push(field.duplicate(p, uid));
      else seen.add(uid);
    });
  }
  const complete = conditionTrue(s.conditions, 'Complete');
  const failed = conditionTrue(s.conditions, 'Failed');
  if (complete && failed) errs.push(field.invalid('status.conditions', omitValue, 'cannot set Complete=True and Failed=true conditions'));
  for (const type of ['Failed', 'Complete', 'FailureTarget'] as const) {
    if (conditionTrue(o.conditions, type) && !conditionTrue(s.conditions, type)) {
      errs.push(field.invalid('status.conditions', omitValue, `cannot disable the terminal ${type}=True condition`));
    }
  }
  if ((s.failed ?? 0) < (o.failed ?? 0)) errs.push(field.invalid('status.failed', s.failed ?? 0, 'cannot decrease the failed counter'));
  const indexedElastic = job.spec?.completionMode === 'Indexed' && job.spec.completions === job.spec.parallelism;
  if (!indexedElastic && (s.succeeded ?? 0) < (o.succeeded ?? 0)) errs.push(field.invalid('status.succeeded', s.succeeded ?? 0, 'cannot decrease the succeeded counter'));
  if (s.completionTime && o.completionTime && s.completionTime !== o.completionTime) errs.push(field.invalid('status.completionTime', s.completionTime, 'completionTime cannot be mutated'));
  return errs;
}

// ---- CronJob ----

/** The name limit: the controller appends an 11-character `-<minutes>` to Job names (63 - 11). */
const maxCronJobNameLength = 52;

export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateCronJobSpec(cj.spec ?? ({} as CronJobSpec), undefined));
  if ((cj.metadata.name ?? '').length > maxCronJobNameLength) {
    errs.push(field.invalid('metadata.name', cj.metadata.name, `must be no more than ${maxCronJobNameLength} characters`));
  }
  return errs;
}

export function validateCronJobUpdate(cj: CronJob, old: CronJob): FieldError[] {
  // No 52-character limit on update: older CronJobs with longer names stay editable.
  return [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJobSpec(cj.spec ?? ({} as CronJobSpec), old.spec)];
}

function validateCronJobSpec(spec: CronJobSpec, old: CronJobSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.schedule) errs.push(field.required('spec.schedule'));
  else errs.push(...validateScheduleFormat(spec.schedule, old?.schedule.includes('TZ') ?? false, spec.timeZone));
  if (spec.startingDeadlineSeconds != null) errs.push(...validateNonnegativeField(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!old || old.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone));
  const policy = spec.concurrencyPolicy;
  if (!policy) errs.push(field.required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(policy)) errs.push(field.notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateJobTemplateSpec(spec, 'spec.jobTemplate'));
  if (spec.successfulJobsHistoryLimit != null) errs.push(...validateNonnegativeField(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  if (spec.failedJobsHistoryLimit != null) errs.push(...validateNonnegativeField(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

function validateScheduleFormat(schedule: string, allowTZ: boolean, timeZone: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  try {
    parseStandard(schedule);
  } catch (e) {
    if (!(e instanceof CronParseError)) throw e;
    errs.push(field.invalid('spec.schedule', schedule, e.message));
  }
  if (allowTZ && schedule.includes('TZ') && timeZone != null) {
    errs.push(field.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZ && schedule.includes('TZ')) {
    errs.push(field.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

/** IANA naming rules for a zone's path components (legacy names keep digits and +). */
const validTimeZoneCharacters = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(timeZone: string | undefined): FieldError[] {
  if (timeZone == null) return [];
  const path = 'spec.timeZone';
  if (timeZone.length === 0) return [field.invalid(path, timeZone, 'timeZone must be nil or non-empty string')];
  for (const part of timeZone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !validTimeZoneCharacters.test(part)) return [field.invalid(path, timeZone, `unknown time zone ${timeZone}`)];
  }
  const errs: FieldError[] = [];
  if (timeZone.toLowerCase() === 'local') errs.push(field.invalid(path, timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  else if (!isKnownTimeZone(timeZone)) errs.push(field.invalid(path, timeZone, `unknown time zone ${timeZone}`));
  return errs;
}

/** ValidateJobTemplateSpec: the Job rules, and no selector (the Job's own is generated). */
function validateJobTemplateSpec(spec: CronJobSpec, path: string): FieldError[] {
  const jobSpec = spec.jobTemplate?.spec;
  if (!jobSpec) return [field.required(`${path}.spec.template`)];
  const errs = validateJobSpec(jobSpec, `${path}.spec`);
  if (jobSpec.selector) errs.push(field.invalid(`${path}.spec.selector`, goLabelSelector(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errs.push(field.notSupported(`${path}.spec.manualSelector`, true, ['nil', 'false']));
  return errs;
}
