// What an object costs a ResourceQuota (upstream pkg/quota/v1/evaluator/core and the generic
// object-count evaluator): every object counts as count/<resource>[.<group>]; pods add their
// effective requests and limits, services their node ports and load balancers, claims their
// storage. Amounts are kept in milli-units (1 pod = 1000, 1 byte = 1000) so sums stay exact.
import { podResourceAmounts } from '../pod-resources.js';
import { formatQuantity, isBinaryQuantity, parseQuantity } from '../quantity.js';
import type { KubeObject, PersistentVolumeClaim, Pod, Quantity, ResourceQuota, Service } from '../types.js';
import { podQOSIsBestEffort } from './pod-scopes.js';

/** Amounts by quota resource name, in milli-units. */
export type Usage = Map<string, number>;

export interface GroupResource {
  group: string;
  resource: string;
}

const one = 1000;
export const milli = (q: Quantity): number => Math.round(parseQuantity(q) * 1000);

/** count/pods, count/deployments.apps. */
export function objectCountName(gr: GroupResource): string {
  return gr.group ? `count/${gr.resource}.${gr.group}` : `count/${gr.resource}`;
}

/** Core kinds quota also counts under their legacy names (services, secrets, ...). */
const legacyCounted = new Set(['pods', 'services', 'persistentvolumeclaims', 'configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas']);

/** Pod resources counted both as requests.<name> and the bare name (upstream: cpu, memory, ephemeral-storage). */
const bareRequestNames = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** A pod that finished (or whose graceful deletion ran out) no longer counts against compute quota (QuotaV1Pod). */
function podCounts(pod: Pod, now: Date): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  const deleted = pod.metadata.deletionTimestamp;
  if (deleted && pod.metadata.deletionGracePeriodSeconds !== undefined) {
    return now.getTime() <= Date.parse(deleted) + pod.metadata.deletionGracePeriodSeconds * 1000;
  }
  return true;
}

function podUsage(pod: Pod, now: Date, into: Usage): void {
  if (!podCounts(pod, now)) return;
  into.set('pods', one);
  // Upstream records these even at zero, so status.used names them.
  for (const r of ['cpu', 'memory']) {
    into.set(`requests.${r}`, 0);
    into.set(`limits.${r}`, 0);
  }
  // podResourceAmounts counts cpu in millicores and the rest in units.
  const scale = (r: string, v: number) => (r === 'cpu' ? v : v * 1000);
  for (const [r, v] of podResourceAmounts(pod, 'requests')) {
    into.set(`requests.${r}`, scale(r, v));
    if (bareRequestNames.has(r)) into.set(r, scale(r, v));
  }
  for (const [r, v] of podResourceAmounts(pod, 'limits')) into.set(`limits.${r}`, scale(r, v));
}

function serviceUsage(svc: Service, into: Usage): void {
  const type = svc.spec?.type ?? 'ClusterIP';
  const ports = svc.spec?.ports?.length ?? 0;
  into.set('services.loadbalancers', type === 'LoadBalancer' ? one : 0);
  into.set('services.nodeports', type === 'NodePort' || type === 'LoadBalancer' ? ports * one : 0);
}

function claimUsage(pvc: PersistentVolumeClaim, into: Usage): void {
  const storage = pvc.spec?.resources?.requests?.storage;
  const amount = storage === undefined ? 0 : milli(storage);
  into.set('requests.storage', amount);
  const cls = pvc.spec?.storageClassName;
  if (cls) {
    into.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, amount);
    into.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, one);
  }
}

/** The object's usage for quota (the evaluator's Usage). */
export function usageOf(gr: GroupResource, obj: KubeObject, now: Date): Usage {
  const usage: Usage = new Map([[objectCountName(gr), one]]);
  if (gr.group) return usage;
  if (legacyCounted.has(gr.resource)) usage.set(gr.resource, one);
  if (gr.resource === 'pods') {
    usage.delete('pods');
    podUsage(obj as Pod, now, usage);
  } else if (gr.resource === 'services') serviceUsage(obj as Service, usage);
  else if (gr.resource === 'persistentvolumeclaims') claimUsage(obj as PersistentVolumeClaim, usage);
  return usage;
}

/** A pod in the Terminating scope: one with an activeDeadlineSeconds (IsTerminating). */
function podIsTerminating(pod: Pod): boolean {
  const s = pod.spec?.activeDeadlineSeconds;
  return s !== undefined && s !== null && s >= 0;
}

/**
 * Whether quota evaluates an update of the object (the evaluators' Handles): services (their
 * type can change to NodePort or LoadBalancer) and claims (a resize) always; a pod only when
 * its Terminating scope changes (activeDeadlineSeconds set); other objects are counted once, on
 * create. (A pod's resize subresource, which upstream also evaluates, kanzen does not serve.)
 */
export function evaluatesUpdate(gr: GroupResource, obj: KubeObject, old: KubeObject): boolean {
  if (gr.group) return false;
  if (gr.resource === 'services' || gr.resource === 'persistentvolumeclaims') return true;
  return gr.resource === 'pods' && podIsTerminating(obj as Pod) !== podIsTerminating(old as Pod);
}

/** What an update adds to usage: the new usage less the old, never below zero, zeros dropped (SubtractWithNonNegativeResult, RemoveZeros). */
export function usageDelta(cur: Usage, prev: Usage): Usage {
  const out: Usage = new Map();
  for (const [k, v] of cur) {
    const d = v - (prev.get(k) ?? 0);
    if (d > 0) out.set(k, d);
  }
  return out;
}

/** Whether a hard limit named `name` is about objects of this resource (the evaluator's MatchingResources). */
export function tracks(gr: GroupResource, name: string): boolean {
  if (name === objectCountName(gr)) return true;
  if (gr.group) return false;
  switch (gr.resource) {
    case 'pods':
      return name === 'pods' || bareRequestNames.has(name) || name.startsWith('requests.') && name !== 'requests.storage' || name.startsWith('limits.') || name.startsWith('hugepages-');
    case 'services':
      return name === 'services' || name === 'services.nodeports' || name === 'services.loadbalancers';
    case 'persistentvolumeclaims':
      return name === 'persistentvolumeclaims' || name === 'requests.storage' || name.includes('.storageclass.storage.k8s.io/');
    default:
      return name === gr.resource && legacyCounted.has(name);
  }
}

/** The resources whose objects a quota with these hard names counts. */
export function countedResources(hardNames: string[]): GroupResource[] {
  const out = new Map<string, GroupResource>();
  const add = (gr: GroupResource) => out.set(`${gr.resource}.${gr.group}`, gr);
  for (const name of hardNames) {
    if (name.startsWith('count/')) {
      const [resource, ...group] = name.slice('count/'.length).split('.');
      add({ resource, group: group.join('.') });
      continue;
    }
    for (const resource of legacyCounted) if (tracks({ group: '', resource }, name)) add({ group: '', resource });
  }
  return [...out.values()];
}

/** Pod scopes (Terminating, BestEffort, PriorityClass, ...) of a quota: non-pods match only unscoped quotas. */
export function quotaMatches(quota: ResourceQuota, gr: GroupResource, obj: KubeObject): boolean {
  const selectors = [
    ...(quota.spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists', values: [] as string[] })),
    ...(quota.spec?.scopeSelector?.matchExpressions ?? []),
  ];
  if (!selectors.length) return true;
  if (gr.group || gr.resource !== 'pods') return false;
  const pod = obj as Pod;
  return selectors.every((s) => {
    switch (s.scopeName) {
      case 'Terminating':
        return podIsTerminating(pod);
      case 'NotTerminating':
        return !podIsTerminating(pod);
      case 'BestEffort':
        return podQOSIsBestEffort(pod);
      case 'NotBestEffort':
        return !podQOSIsBestEffort(pod);
      case 'PriorityClass': {
        const cls = pod.spec?.priorityClassName ?? '';
        if (s.operator === 'Exists') return cls !== '';
        if (s.operator === 'DoesNotExist') return cls === '';
        if (s.operator === 'In') return (s.values ?? []).includes(cls);
        return !(s.values ?? []).includes(cls);
      }
      default:
        return false;
    }
  });
}

/** The compute resources every container must set when a quota limits them (the pod evaluator's Constraints). */
const containerConstraintNames = ['cpu', 'limits.cpu', 'limits.memory', 'memory', 'requests.cpu', 'requests.memory'];

/** "must specify limits.cpu for: c; requests.cpu for: c", or undefined when every container complies. */
export function podConstraintViolation(pod: Pod, restricted: string[]): string | undefined {
  const required = restricted.filter((r) => containerConstraintNames.includes(r));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const has = new Set<string>();
    for (const r of Object.keys(c.resources?.requests ?? {})) {
      has.add(`requests.${r}`);
      has.add(r);
    }
    for (const r of Object.keys(c.resources?.limits ?? {})) has.add(`limits.${r}`);
    for (const r of required) if (!has.has(r)) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(c.name);
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/** A milli-unit amount as the quota's own hard quantity for it is written (binary SI stays binary). */
export function showAmount(amount: number, like: Quantity | undefined): string {
  return formatQuantity(amount / 1000, like !== undefined && isBinaryQuantity(like));
}

/** upstream prettyPrint: name=quantity, sorted by name, comma-separated. */
export function prettyPrint(usage: Usage, hard: Record<string, Quantity>): string {
  return [...usage.keys()].sort().map((k) => `${k}=${showAmount(usage.get(k)!, hard[k])}`).join(',');
}

/** A quota's resource list (status.used, status.hard) in milli-units. */
export function usageFromList(list: Record<string, Quantity> | undefined): Usage {
  return new Map(Object.entries(list ?? {}).map(([k, q]) => [k, milli(q)]));
}

/** Usage written as a resource list, each quantity in the format of its hard limit. */
export function usageToList(usage: Usage, hard: Record<string, Quantity>): Record<string, Quantity> {
  return Object.fromEntries([...usage.keys()].sort().map((k) => [k, showAmount(usage.get(k)!, hard[k])]));
}
