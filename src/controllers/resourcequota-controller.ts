// The resource quota controller (upstream pkg/controller/resourcequota): keeps each quota's
// status.hard equal to spec.hard and status.used equal to what the namespace's objects cost
// (api/quota/evaluator.ts). It recounts a namespace's quotas when a quota changes and when
// the objects quota most often counts change or go (upstream's replenishment), and every
// quota on a full resync, which also corrects charges admission made for creates that failed.
import type { KubeObject, ResourceQuota } from '../api/types.js';
import { isNotFound } from '../api/errors.js';
import { resources } from '../api/resources.js';
import { countedResources, quotaMatches, tracks, usageOf, usageToList, type Usage } from '../api/quota/evaluator.js';
import { jsonEqual } from '../api/validation/object-meta.js';
import { resourceFor } from '../client/api-client.js';
import { objectKey } from '../client/informer.js';
import { WorkQueue } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';

const quotasResource = resourceFor('resourcequotas');
/** upstream --resource-quota-sync-period. */
const fullResyncMs = 5 * 60_000;
/** How long a recount waits after an object change (batches churn). */
const replenishDelayMs = 500;
/** The kinds whose changes recount their namespace's quotas (upstream's replenishment evaluators). */
const replenished = ['pods', 'services', 'persistentvolumeclaims', 'configmaps', 'secrets', 'replicationcontrollers'];

export function newResourceQuotaController(ctx: ControllerContext): Controller {
  const quotas = ctx.informers.for<ResourceQuota>(quotasResource);
  const queue = new WorkQueue((key) => sync(key), { name: 'resourcequota', logger: ctx.logger.child('resourcequota') });
  let resync: NodeJS.Timeout | undefined;

  /** What the namespace's objects of the quota's counted resources cost it. */
  async function usedBy(quota: ResourceQuota): Promise<Usage> {
    const hardNames = Object.keys(quota.spec?.hard ?? {});
    const used: Usage = new Map(hardNames.map((n) => [n, 0]));
    const now = ctx.now();
    for (const gr of countedResources(hardNames)) {
      const info = resources.find((r) => r.resource === gr.resource && r.group === gr.group && r.namespaced);
      if (!info) continue;
      const tracked = hardNames.filter((n) => tracks(gr, n));
      for (const obj of (await ctx.client.list<KubeObject>(info, quota.metadata.namespace)).items) {
        if (!quotaMatches(quota, gr, obj)) continue;
        const usage = usageOf(gr, obj, now);
        for (const n of tracked) used.set(n, used.get(n)! + (usage.get(n) ?? 0));
      }
    }
    return used;
  }

  async function sync(key: string): Promise<void> {
    const quota = quotas.get(key);
    if (!quota) return;
    const hard = quota.spec?.hard ?? {};
    const status = { hard, used: usageToList(await usedBy(quota), hard) };
    if (!jsonEqual(status, quota.status ?? {})) {
      try {
        await ctx.client.updateStatus<ResourceQuota>(quotasResource, { ...quota, status });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  const enqueueNamespace = (obj: KubeObject) => {
    // A short delay batches churn, and lets a create admission just charged reach the store first.
    for (const q of quotas.list(obj.metadata.namespace)) queue.addAfter(objectKey(q), replenishDelayMs);
  };
  return {
    name: 'resourcequota-controller',
    start() {
      // Admission's own charges (status writes) are not a reason to recount: a recount racing a
      // create it just admitted would lower status.used below what is being stored (upstream
      // enqueues on a spec change, or a status.hard that differs from it, only).
      const needsRecount = (old: ResourceQuota, q: ResourceQuota) => !jsonEqual(old.spec, q.spec) || !jsonEqual(q.status?.hard ?? {}, q.spec?.hard ?? {});
      quotas.addHandlers({ add: (q) => queue.add(objectKey(q)), update: (old, q) => needsRecount(old, q) && queue.add(objectKey(q)) });
      // The full resync runs beside the queue: a delayed add would hold back the short replenishment delays.
      resync = setInterval(() => {
        for (const q of quotas.list()) queue.add(objectKey(q));
      }, fullResyncMs);
      resync.unref();
      for (const r of replenished) {
        ctx.informers.for(resourceFor(r)).addHandlers({ add: enqueueNamespace, update: (_o, n) => enqueueNamespace(n), delete: enqueueNamespace });
      }
    },
    stop() {
      clearInterval(resync);
      queue.stop();
    },
  };
}

