// The ResourceQuota admission plugin (upstream plugin/pkg/admission/resourcequota, run last):
// a create that would take a namespace past one of its quotas is refused with 403 Forbidden,
// and so is an update that would (a Service turned NodePort or LoadBalancer, a claim resized);
// an allowed one is charged to the quotas' status.used at once (compare-and-swap on the
// quota, re-checked on conflict), so concurrent creates cannot both take the last unit. The
// quota controller later recomputes status.used from the objects themselves.
import { ApiError } from '../api/errors.js';
import type { ResourceInfo } from '../api/resources.js';
import type { KubeObject, Pod, ResourceQuota } from '../api/types.js';
import { evaluatesUpdate, podConstraintViolation, prettyPrint, quotaMatches, tracks, usageDelta, usageFromList, usageOf, usageToList, type Usage } from '../api/quota/evaluator.js';
import type { Registry } from './registry.js';

type Registries = { registry(resource: string, group?: string): Registry };

const ctx = { dryRun: false, fieldManager: 'kube-apiserver', subresource: 'status' };

/** Charges the quota or throws the Forbidden that refuses the create (checked against the latest quota). */
function charge(quota: ResourceQuota, requested: Usage, forbidden: (reason: string) => ApiError): ResourceQuota {
  const hard = quota.status?.hard ?? {};
  const used = usageFromList(quota.status?.used);
  const limits = usageFromList(hard);
  const next = new Map(used);
  const exceeded: string[] = [];
  for (const [k, v] of requested) {
    next.set(k, (used.get(k) ?? 0) + v);
    if (next.get(k)! > limits.get(k)!) exceeded.push(k);
  }
  if (exceeded.length) {
    const only = (u: Usage) => new Map(exceeded.map((k) => [k, u.get(k) ?? 0]));
    throw forbidden(`exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(only(requested), hard)}, used: ${prettyPrint(only(used), hard)}, limited: ${prettyPrint(only(limits), hard)}`);
  }
  return { ...quota, status: { ...quota.status, used: usageToList(next, hard) } };
}

export async function admitResourceQuota(info: ResourceInfo, obj: KubeObject, namespace: string, deps: Registries, now: Date, dryRun = false, old?: KubeObject): Promise<void> {
  const quotasRegistry = deps.registry('resourcequotas');
  const quotas = (await quotasRegistry.list(namespace)).items as ResourceQuota[];
  if (!quotas.length) return;
  const gr = { group: info.group, resource: info.resource };
  const name = obj.metadata.name || obj.metadata.generateName || '';
  const forbidden = (reason: string) => ApiError.forbidden(gr, name, reason);
  const interesting: { quota: ResourceQuota; restricted: string[] }[] = [];
  for (const quota of quotas) {
    if (!quotaMatches(quota, gr, obj)) continue;
    const restricted = Object.keys(quota.status?.hard ?? {}).filter((r) => tracks(gr, r));
    if (!restricted.length) continue;
    const violation = info.resource === 'pods' && !info.group ? podConstraintViolation(obj as Pod, restricted) : undefined;
    if (violation) throw forbidden(`failed quota: ${quota.metadata.name}: ${violation}`);
    const unknown = restricted.filter((r) => quota.status?.used?.[r] === undefined);
    if (unknown.length) throw forbidden(`status unknown for quota: ${quota.metadata.name}, resources: ${restricted.sort().join(',')}`);
    interesting.push({ quota, restricted });
  }
  // An update is charged what it adds: a Service turned NodePort, a claim grown.
  const usage = old ? usageDelta(usageOf(gr, obj, now), usageOf(gr, old, now)) : usageOf(gr, obj, now);
  for (const { quota, restricted } of interesting) {
    const requested: Usage = new Map(restricted.filter((r) => (usage.get(r) ?? 0) !== 0).map((r) => [r, usage.get(r)!]));
    if (!requested.size) continue;
    // A dry run is checked as a create would be, but charges nothing.
    if (dryRun) charge(quota, requested, forbidden);
    else await quotasRegistry.update(namespace, quota.metadata.name!, (current) => charge((current ?? quota) as ResourceQuota, requested, forbidden), ctx, true);
  }
}

/** ResourceQuota on an update: only of objects whose evaluator handles updates, charged the increase. */
export async function admitResourceQuotaUpdate(info: ResourceInfo, obj: KubeObject, old: KubeObject, deps: Registries, now: Date, dryRun: boolean): Promise<void> {
  const namespace = obj.metadata.namespace;
  if (!info.namespaced || !namespace || !evaluatesUpdate({ group: info.group, resource: info.resource }, obj, old)) return;
  await admitResourceQuota(info, obj, namespace, deps, now, dryRun, old);
}
