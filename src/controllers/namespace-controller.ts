// The namespace controller (upstream pkg/controller/namespace/deletion): a namespace with
// deletionTimestamp and the "kubernetes" finalizer is emptied — every namespaced resource's
// objects deleted (propagation Background, as upstream's deletecollection) — and, once
// nothing is left, the finalizer is removed through namespaces/NAME/finalize, which lets
// the API server remove the namespace. While content remains, the namespace's conditions
// say what (NamespaceContentRemaining, NamespaceFinalizersRemaining …), as upstream's
// namespaceConditionUpdater writes them.
import { isConflict, isNotFound } from '../api/errors.js';
import { resources, type ResourceInfo } from '../api/resources.js';
import type { KubeObject, Namespace, NamespaceCondition, Pod } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { WorkQueue, type ReconcileResult } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';
import { rfc3339 } from '../api/time.js';

export const finalizerKubernetes = 'kubernetes';

/** How soon to look again while content remains (upstream waits its estimate; kanzen polls sooner so `kubectl delete ns` returns promptly). */
const maxRecheckMs = 1_000;
const minRecheckMs = 100;

/** Upstream conditionTypes, in the order they are written. */
const conditionTypes = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;
type ConditionType = (typeof conditionTypes)[number];

const okReasons: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'ResourcesDiscovered',
  NamespaceDeletionGroupVersionParsingFailure: 'ParsedGroupVersions',
  NamespaceDeletionContentFailure: 'ContentDeleted',
  NamespaceContentRemaining: 'ContentRemoved',
  NamespaceFinalizersRemaining: 'ContentHasNoFinalizers',
};
const okMessages: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'All resources successfully discovered',
  NamespaceDeletionGroupVersionParsingFailure: 'All legacy kube types successfully parsed',
  NamespaceDeletionContentFailure: 'All content successfully deleted, may be waiting on finalization',
  NamespaceContentRemaining: 'All content successfully removed',
  NamespaceFinalizersRemaining: 'All content-preserving finalizers finished',
};

/** What one deletion pass left behind. */
export interface ContentTotals {
  /** "pods." style resource.group → objects remaining. */
  remaining: Map<string, number>;
  /** finalizer → objects carrying it. */
  finalizers: Map<string, number>;
  /** Deletion errors, "resource.group: message". */
  errors: string[];
  /** Seconds until the remaining pods should be gone (upstream estimateGracefulTermination). */
  estimateSeconds: number;
}


/** The deletion conditions for what a pass found (upstream namespaceConditionUpdater). */
export function deletionConditions(totals: ContentTotals): Map<ConditionType, Pick<NamespaceCondition, 'status' | 'reason' | 'message'>> {
  const out = new Map<ConditionType, Pick<NamespaceCondition, 'status' | 'reason' | 'message'>>();
  for (const t of conditionTypes) out.set(t, { status: 'False', reason: okReasons[t], message: okMessages[t] });
  if (totals.errors.length) {
    out.set('NamespaceDeletionContentFailure', {
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${totals.errors.length} remaining: ${totals.errors.join(', ')}`,
    });
  }
  const remaining = [...totals.remaining].filter(([, n]) => n > 0).map(([gr, n]) => `${gr} has ${n} resource instances`).sort();
  if (remaining.length) {
    out.set('NamespaceContentRemaining', { status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining.join(', ')}` });
  }
  const byFinalizer = [...totals.finalizers].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
  if (byFinalizer.length) {
    out.set('NamespaceFinalizersRemaining', {
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${byFinalizer.join(', ')}`,
    });
  }
  return out;
}

/** Conditions merged as upstream's updateCondition: an unchanged one keeps its lastTransitionTime. */
function mergeConditions(old: NamespaceCondition[], wanted: ReturnType<typeof deletionConditions>, now: Date): NamespaceCondition[] {
  const others = old.filter((c) => !wanted.has(c.type as ConditionType));
  const merged = conditionTypes.map((type): NamespaceCondition => {
    const w = wanted.get(type)!;
    const prev = old.find((c) => c.type === type);
    if (prev && prev.status === w.status && prev.reason === w.reason && prev.message === w.message) return prev;
    return { type, status: w.status, lastTransitionTime: rfc3339(now), reason: w.reason, message: w.message };
  });
  return [...others, ...merged];
}

function podEstimateSeconds(pod: Pod): number {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
  return pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
}

export function newNamespaceController(ctx: ControllerContext): Controller {
  const namespacesInfo = resourceFor('namespaces');
  const namespaces = ctx.informers.for<Namespace>(namespacesInfo);
  const log = ctx.logger.child('namespace-controller');
  const queue = new WorkQueue((name) => syncNamespace(name), { name: 'namespace', workers: 2, logger: log });
  // Every namespaced resource the API serves whose objects can be listed and deleted.
  const contentResources = resources.filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));

  async function syncNamespace(name: string): Promise<ReconcileResult> {
    const ns = namespaces.getByName(undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    if (!ns.spec?.finalizers?.includes(finalizerKubernetes)) return;
    const totals = await deleteAllContent(name);
    const updated = await updateConditions(ns, totals);
    if (!updated) return; // the namespace is gone
    if (totals.errors.length) throw new Error(`namespace ${name}: ${totals.errors.join(', ')}`);
    if ([...totals.remaining.values()].some((n) => n > 0)) {
      return { requeueAfterMs: Math.max(minRecheckMs, Math.min(maxRecheckMs, totals.estimateSeconds * 1000)) };
    }
    await finalize(updated);
  }

  /** One pass over every resource: delete what is there, count what is left. */
  async function deleteAllContent(namespace: string): Promise<ContentTotals> {
    const totals: ContentTotals = { remaining: new Map(), finalizers: new Map(), errors: [], estimateSeconds: 0 };
    await Promise.all(
      contentResources.map(async (info) => {
        try {
          await deleteResourceContent(info, namespace, totals);
        } catch (e) {
          totals.errors.push(`${info.resource}.${info.group}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
    return totals;
  }

  async function deleteResourceContent(info: ResourceInfo, namespace: string, totals: ContentTotals): Promise<void> {
    const list = await ctx.client.list(info, namespace);
    if (!list.items.length) return;
    const left: KubeObject[] = [];
    for (const obj of list.items) {
      if (obj.metadata.deletionTimestamp) {
        left.push(obj);
        continue;
      }
      try {
        const res = await ctx.client.delete(info, namespace, obj.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: obj.metadata.uid } });
        // A Status means gone; an object means deletion has begun (grace period or finalizers).
        if ((res as { kind?: string }).kind !== 'Status' && (res as KubeObject).metadata?.deletionTimestamp) left.push(res as KubeObject);
      } catch (e) {
        if (isNotFound(e)) continue;
        if (isConflict(e)) {
          left.push(obj);
          continue;
        }
        throw e;
      }
    }
    if (!left.length) return;
    const gr = `${info.resource}.${info.group}`;
    totals.remaining.set(gr, left.length);
    for (const obj of left) for (const f of obj.metadata.finalizers ?? []) totals.finalizers.set(f, (totals.finalizers.get(f) ?? 0) + 1);
    if (info.resource === 'pods') for (const p of left) totals.estimateSeconds = Math.max(totals.estimateSeconds, podEstimateSeconds(p as Pod));
  }

  async function updateConditions(ns: Namespace, totals: ContentTotals): Promise<Namespace | undefined> {
    const old = ns.status?.conditions ?? [];
    const conditions = mergeConditions(old, deletionConditions(totals), ctx.now());
    if (JSON.stringify(conditions) === JSON.stringify(old)) return ns;
    try {
      return await ctx.client.updateStatus<Namespace>(namespacesInfo, { ...ns, status: { ...(ns.status ?? {}), phase: 'Terminating', conditions } });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** PUT namespaces/NAME/finalize without "kubernetes": the API server then removes the namespace. */
  async function finalize(ns: Namespace): Promise<void> {
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== finalizerKubernetes);
    try {
      await ctx.client.update<Namespace>(namespacesInfo, { ...ns, spec: { ...(ns.spec ?? {}), finalizers } }, 'finalize');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  return {
    name: 'namespace-controller',
    start() {
      const enqueue = (ns: Namespace) => {
        if (ns.metadata.deletionTimestamp) queue.add(ns.metadata.name!);
      };
      namespaces.addHandlers({ add: enqueue, update: (_o, ns) => enqueue(ns) });
    },
    stop() {
      queue.stop();
    },
  };
}
