// The LimitRanger admission plugin (upstream plugin/pkg/admission/limitranger): a new pod's
// containers get the default requests and limits of their namespace's LimitRanges (recorded
// in the kubernetes.io/limit-ranger annotation), then pods and PersistentVolumeClaims are
// checked against each range's min, max and maxLimitRequestRatio, refused with 403 Forbidden.
import { aggregateMessage, ApiError } from '../api/errors.js';
import { podResourceAmounts, resourceAmount, type Amounts } from '../api/pod-resources.js';
import { canonicalQuantity, formatQuantity, isBinaryQuantity, parseQuantity } from '../api/quantity.js';
import type { Container, KubeObject, LimitRange, LimitRangeItem, PersistentVolumeClaim, Pod, Quantity } from '../api/types.js';
import type { Registry } from './registry.js';

export const limitRangerAnnotation = 'kubernetes.io/limit-ranger';

type Registries = { registry(resource: string, group?: string): Registry };
type ResourceList = Record<string, Quantity>;

async function limitRangesOf(namespace: string, deps: Registries): Promise<LimitRange[]> {
  return (await deps.registry('limitranges').list(namespace)).items as LimitRange[];
}

const admissionName = (obj: KubeObject) => obj.metadata.name || obj.metadata.generateName || '';

/** defaultContainerResourceRequirements: the Container entries' default requests and limits. */
function containerDefaults(lr: LimitRange): { requests: ResourceList; limits: ResourceList } {
  const requests: ResourceList = {};
  const limits: ResourceList = {};
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    Object.assign(requests, item.defaultRequest ?? {});
    Object.assign(limits, item.default ?? {});
  }
  return { requests, limits };
}

/** Fills what the container leaves unset; says what it set, as the annotation lists it. */
function mergeContainer(c: Container, defaults: { requests: ResourceList; limits: ResourceList }, kind: string): string[] {
  const set = (which: 'requests' | 'limits'): string[] => {
    const added: string[] = [];
    for (const [k, v] of Object.entries(defaults[which])) {
      c.resources ??= {};
      const list = (c.resources[which] ??= {});
      if (k in list) continue;
      list[k] = v;
      added.push(k);
    }
    return added.sort();
  };
  const notes: string[] = [];
  const requests = set('requests');
  const limits = set('limits');
  if (requests.length) notes.push(`${requests.join(', ')} request for ${kind} ${c.name}`);
  if (limits.length) notes.push(`${limits.join(', ')} limit for ${kind} ${c.name}`);
  return notes;
}

/** PodMutateLimitFunc: the range's container defaults into every container. */
function applyDefaults(pod: Pod, lr: LimitRange): void {
  const defaults = containerDefaults(lr);
  if (!Object.keys(defaults.requests).length && !Object.keys(defaults.limits).length) return;
  const notes = [
    ...(pod.spec.containers ?? []).flatMap((c) => mergeContainer(c, defaults, 'container')),
    ...(pod.spec.initContainers ?? []).flatMap((c) => mergeContainer(c, defaults, 'init container')),
  ];
  if (!notes.length) return;
  pod.metadata.annotations = { ...pod.metadata.annotations, [limitRangerAnnotation]: `LimitRanger plugin set: ${notes.join('; ')}` };
}

/** Observed amounts of one object: its requests and limits, and how to print them. */
interface Observed {
  requests: Amounts;
  limits: Amounts;
  /** The quantity as the message shows it (Quantity.String()). */
  show(resource: string, amount: number, like: Quantity): string;
}

function showAmount(resource: string, amount: number, like: Quantity): string {
  return formatQuantity(resource === 'cpu' ? amount / 1000 : amount, isBinaryQuantity(like));
}

function amountsOf(list: ResourceList | undefined): Amounts {
  return new Map(Object.entries(list ?? {}).map(([k, q]) => [k, resourceAmount(k, q)]));
}

/** minConstraint, maxConstraint and limitRequestRatioConstraint, for one entry against one object. */
function checkItem(item: LimitRangeItem, type: string, o: Observed, requestOnly = false): string[] {
  const errs: string[] = [];
  const sorted = (list: ResourceList | undefined) => Object.entries(list ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [k, q] of sorted(item.min)) {
    const enforced = canonicalQuantity(q);
    const min = resourceAmount(k, q);
    const req = o.requests.get(k);
    const lim = o.limits.get(k);
    if (req === undefined) errs.push(`minimum ${k} usage per ${type} is ${enforced}.  No request is specified`);
    else if (req < min) errs.push(`minimum ${k} usage per ${type} is ${enforced}, but request is ${o.show(k, req, q)}`);
    else if (lim !== undefined && lim < min) errs.push(`minimum ${k} usage per ${type} is ${enforced}, but limit is ${o.show(k, lim, q)}`);
  }
  for (const [k, q] of sorted(item.max)) {
    const enforced = canonicalQuantity(q);
    const max = resourceAmount(k, q);
    const req = o.requests.get(k);
    const lim = o.limits.get(k);
    if (requestOnly) {
      // A claim has requests only (maxRequestConstraint).
      if (req === undefined) errs.push(`maximum ${k} usage per ${type} is ${enforced}.  No request is specified`);
      else if (req > max) errs.push(`maximum ${k} usage per ${type} is ${enforced}, but request is ${o.show(k, req, q)}`);
    } else if (lim === undefined) errs.push(`maximum ${k} usage per ${type} is ${enforced}.  No limit is specified`);
    else if (lim > max) errs.push(`maximum ${k} usage per ${type} is ${enforced}, but limit is ${o.show(k, lim, q)}`);
    else if (req !== undefined && req > max) errs.push(`maximum ${k} usage per ${type} is ${enforced}, but request is ${o.show(k, req, q)}`);
  }
  if (requestOnly) return errs;
  for (const [k, q] of sorted(item.maxLimitRequestRatio)) {
    const enforced = canonicalQuantity(q);
    const req = o.requests.get(k) ?? 0;
    const lim = o.limits.get(k) ?? 0;
    if (!req) errs.push(`${k} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`);
    else if (!lim) errs.push(`${k} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`);
    else if (lim / req > parseQuantity(q)) {
      errs.push(`${k} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${(lim / req).toFixed(6)}`);
    }
  }
  return errs;
}

const containerObserved = (c: Container): Observed => ({ requests: amountsOf(c.resources?.requests), limits: amountsOf(c.resources?.limits), show: showAmount });

/** PodValidateLimitFunc: each container against Container entries, the pod's totals against Pod entries. */
function podViolations(pod: Pod, lr: LimitRange): string[] {
  const errs: string[] = [];
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) errs.push(...checkItem(item, 'Container', containerObserved(c)));
    } else if (item.type === 'Pod') {
      errs.push(...checkItem(item, 'Pod', { requests: podResourceAmounts(pod, 'requests'), limits: podResourceAmounts(pod, 'limits'), show: showAmount }));
    }
  }
  return errs;
}

/** The mutation then the validation of a new pod against its namespace's LimitRanges. */
export async function admitPodLimitRanges(pod: Pod, namespace: string, deps: Registries): Promise<void> {
  if (!pod.spec) return;
  const ranges = await limitRangesOf(namespace, deps);
  if (!ranges.length) return;
  for (const lr of ranges) applyDefaults(pod, lr);
  const errs = ranges.flatMap((lr) => podViolations(pod, lr));
  if (errs.length) throw ApiError.forbidden({ group: '', resource: 'pods' }, admissionName(pod), aggregateMessage(errs));
}

/** A new claim's storage request against PersistentVolumeClaim entries. */
export async function admitClaimLimitRanges(pvc: PersistentVolumeClaim, namespace: string, deps: Registries): Promise<void> {
  const ranges = await limitRangesOf(namespace, deps);
  const requests = amountsOf(pvc.spec?.resources?.requests);
  const observed: Observed = { requests, limits: new Map(), show: showAmount };
  const errs = ranges.flatMap((lr) => (lr.spec?.limits ?? []).filter((i) => i.type === 'PersistentVolumeClaim').flatMap((i) => checkItem(i, 'PersistentVolumeClaim', observed, true)));
  if (errs.length) throw ApiError.forbidden({ group: '', resource: 'persistentvolumeclaims' }, admissionName(pvc), aggregateMessage(errs));
}
