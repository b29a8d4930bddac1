// The garbage collector (upstream pkg/controller/garbagecollector). The ownership graph is
// kept as two indexes on the shared informers of every served resource — objects by uid
// and dependents by owner uid — and one queue of objects to look at:
//   * attemptToDelete: an object whose owners (by uid) are all gone is deleted, with the
//     propagation its own finalizers ask for (Background by default); an owner that is not in
//     the cache is confirmed absent with a live GET first, as upstream does before deleting.
//     An object that still has a live owner only loses its references to the absent ones.
//   * foreground deletion: an owner with deletionTimestamp and the foregroundDeletion
//     finalizer has its dependents deleted, and loses the finalizer (completing its own
//     deletion) once no dependent with blockOwnerDeletion remains.
//   * orphaning: an owner with deletionTimestamp and the orphan finalizer has its references
//     removed from its dependents, then loses the finalizer.
import { isConflict, isNotFound } from '../api/errors.js';
import { findByKind, findKind, resources, type ResourceInfo } from '../api/resources.js';
import type { DeleteOptions, KubeObject, OwnerReference } from '../api/types.js';
import type { Informer } from '../client/informer.js';
import { objectKey } from '../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';

export const finalizerOrphan = 'orphan';
export const finalizerForeground = 'foregroundDeletion';

const uidIndex = 'garbage-collector/uid';
const ownerIndex = 'garbage-collector/owner';
/** How soon to look again while the informers have not listed everything yet. */
const unsyncedRetryMs = 100;
/** --concurrent-gc-syncs default: how many objects are looked at (and deleted) at once. */
const workers = 20;
/** The absentOwnerCache's size: owners confirmed gone, so their many dependents need no GET each. */
const absentOwnerCacheSize = 500;

type Propagation = NonNullable<DeleteOptions['propagationPolicy']>;
type OwnerState = 'solid' | 'dangling' | 'waitingForDependentsDeletion';

interface Monitor {
  info: ResourceInfo;
  informer: Informer;
}

function monitorName(info: ResourceInfo): string {
  return `${info.resource}.${info.group}`;
}

function hasFinalizer(obj: KubeObject, f: string): boolean {
  return obj.metadata.finalizers?.includes(f) ?? false;
}

/** The resource an ownerReference points to (by apiVersion and kind, else kind alone). */
function ownerInfo(ref: OwnerReference): ResourceInfo | undefined {
  return findByKind(ref.apiVersion, ref.kind) ?? findKind(ref.kind);
}

function classify(owner: KubeObject): OwnerState {
  return owner.metadata.deletionTimestamp && hasFinalizer(owner, finalizerForeground) ? 'waitingForDependentsDeletion' : 'solid';
}

/**
 * absentOwnerCache (upstream ReferenceCache): the uids of owners a live GET found gone, the
 * oldest forgotten first. A uid never comes back, so an entry is never wrong; it saves the GET
 * for each of a deleted owner's thousand dependents.
 */
export class AbsentOwnerCache {
  private readonly uids = new Set<string>();
  constructor(private readonly size: number) {}

  has(namespace: string | undefined, uid: string): boolean {
    return this.uids.has(`${namespace ?? ''}/${uid}`);
  }

  add(namespace: string | undefined, uid: string): void {
    const key = `${namespace ?? ''}/${uid}`;
    this.uids.delete(key);
    this.uids.add(key);
    if (this.uids.size > this.size) this.uids.delete(this.uids.values().next().value!);
  }
}

export function newGarbageCollector(ctx: ControllerContext): Controller {
  const log = ctx.logger.child('garbage-collector');
  const monitors = new Map<string, Monitor>();
  for (const info of resources) {
    if (!['list', 'watch', 'delete'].every((v) => info.verbs.includes(v))) continue;
    const informer = ctx.informers.for(info);
    informer.addIndex(uidIndex, (o) => (o.metadata.uid ? [o.metadata.uid] : []));
    informer.addIndex(ownerIndex, (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid));
    monitors.set(monitorName(info), { info, informer });
  }
  const queue = new WorkQueue((key) => processItem(key), { name: 'garbage-collector', workers, logger: log });
  const absentOwners = new AbsentOwnerCache(absentOwnerCacheSize);

  function itemKey(m: Monitor, obj: KubeObject): string {
    return `${monitorName(m.info)}|${objectKey(obj)}`;
  }

  function dependentsOf(uid: string): { m: Monitor; obj: KubeObject }[] {
    const out: { m: Monitor; obj: KubeObject }[] = [];
    for (const m of monitors.values()) for (const obj of m.informer.byIndex(ownerIndex, uid)) out.push({ m, obj });
    return out;
  }

  function cachedOwner(ref: OwnerReference): { m: Monitor; obj: KubeObject } | undefined {
    const info = ownerInfo(ref);
    const m = info && monitors.get(monitorName(info));
    const obj = m?.informer.byIndex(uidIndex, ref.uid)[0];
    return m && obj ? { m, obj } : undefined;
  }

  /** Whether the owner exists with this uid, asking the API when the cache does not know it. */
  async function ownerState(ref: OwnerReference, dependent: KubeObject): Promise<OwnerState> {
    const cached = cachedOwner(ref);
    if (cached) return classify(cached.obj);
    const info = ownerInfo(ref);
    // A kind kanzen does not serve cannot be verified: never delete on its account.
    if (!info) return 'solid';
    // A cluster-scoped dependent cannot name a namespaced owner (upstream OwnerRefInvalidNamespace).
    if (info.namespaced && !dependent.metadata.namespace) return 'solid';
    const namespace = info.namespaced ? dependent.metadata.namespace : undefined;
    if (absentOwners.has(namespace, ref.uid)) return 'dangling';
    try {
      const live = await ctx.client.get(info, namespace, ref.name);
      if (live.metadata.uid === ref.uid) return classify(live);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    absentOwners.add(namespace, ref.uid);
    return 'dangling';
  }

  async function processItem(key: string): Promise<ReconcileResult> {
    if (![...monitors.values()].every((m) => m.informer.hasSynced())) return { requeueAfterMs: unsyncedRetryMs };
    const sep = key.indexOf('|');
    const m = monitors.get(key.slice(0, sep));
    const obj = m?.informer.get(key.slice(sep + 1));
    if (!m || !obj) return;
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, finalizerOrphan)) await orphanDependents(m, obj);
      else if (hasFinalizer(obj, finalizerForeground)) await processDeletingDependents(m, obj);
      // Anything else being deleted is not the collector's to decide (upstream skips it).
      return;
    }
    if (obj.metadata.ownerReferences?.length) await attemptToDelete(m, obj);
  }

  async function attemptToDelete(m: Monitor, cached: KubeObject): Promise<void> {
    // The common case costs no request: every owner is in the cache and alive.
    if (cached.metadata.ownerReferences!.every((r) => cachedOwner(r) && classify(cachedOwner(r)!.obj) === 'solid')) return;
    let latest: KubeObject;
    try {
      latest = await ctx.client.get(m.info, cached.metadata.namespace, cached.metadata.name!);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (latest.metadata.uid !== cached.metadata.uid || latest.metadata.deletionTimestamp) return;
    const refs = latest.metadata.ownerReferences ?? [];
    if (!refs.length) return;
    const states = await Promise.all(refs.map((r) => ownerState(r, latest)));
    const solid = refs.filter((_, i) => states[i] === 'solid');
    const waiting = refs.filter((_, i) => states[i] === 'waitingForDependentsDeletion');
    if (solid.length) {
      // A live owner keeps the object; references to absent or departing owners go.
      if (solid.length < refs.length) await patchOwnerReferences(m, latest, solid);
      return;
    }
    let policy: Propagation;
    if (waiting.length && dependentsOf(latest.metadata.uid!).length) {
      // An owner waits in the foreground: so must this object, for its own dependents.
      policy = 'Foreground';
    } else if (hasFinalizer(latest, finalizerOrphan)) {
      policy = 'Orphan';
    } else if (hasFinalizer(latest, finalizerForeground)) {
      policy = 'Foreground';
    } else {
      policy = 'Background';
    }
    log.debug('deleting object whose owners are gone', { key: objectKey(latest), kind: m.info.kind, policy });
    await deleteObject(m, latest, policy);
  }

  async function deleteObject(m: Monitor, obj: KubeObject, policy: Propagation): Promise<void> {
    try {
      await ctx.client.delete(m.info, obj.metadata.namespace, obj.metadata.name!, { propagationPolicy: policy, preconditions: { uid: obj.metadata.uid } });
    } catch (e) {
      // Gone already, or replaced by a new object of the same name.
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  /** A merge patch guarded by resourceVersion, so a concurrent change is never overwritten. */
  async function patchOwnerReferences(m: Monitor, latest: KubeObject, keep: OwnerReference[]): Promise<void> {
    try {
      await ctx.client.patch(m.info, latest.metadata.namespace, latest.metadata.name!, 'merge', {
        metadata: { ownerReferences: keep.length ? keep : null, resourceVersion: latest.metadata.resourceVersion, uid: latest.metadata.uid },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async function removeFinalizer(m: Monitor, cached: KubeObject, finalizer: string): Promise<void> {
    let latest: KubeObject;
    try {
      latest = await ctx.client.get(m.info, cached.metadata.namespace, cached.metadata.name!);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (latest.metadata.uid !== cached.metadata.uid || !hasFinalizer(latest, finalizer)) return;
    const rest = latest.metadata.finalizers!.filter((f) => f !== finalizer);
    try {
      await ctx.client.patch(m.info, latest.metadata.namespace, latest.metadata.name!, 'merge', {
        metadata: { finalizers: rest.length ? rest : null, resourceVersion: latest.metadata.resourceVersion },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** processDeletingDependentsItem: delete dependents; finish once none blocks the owner. */
  async function processDeletingDependents(m: Monitor, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid!;
    const dependents = dependentsOf(uid);
    const blocking = dependents.filter(({ obj }) => obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (!blocking.length) {
      await removeFinalizer(m, owner, finalizerForeground);
      return;
    }
    // Each dependent sees this owner waiting and is deleted; its removal brings us back here.
    for (const d of dependents) queue.add(itemKey(d.m, d.obj));
  }

  /** orphanDependents: remove the owner's references from every dependent, then the finalizer. */
  async function orphanDependents(m: Monitor, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid!;
    for (const d of dependentsOf(uid)) {
      let latest: KubeObject;
      try {
        latest = await ctx.client.get(d.m.info, d.obj.metadata.namespace, d.obj.metadata.name!);
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      const refs = latest.metadata.ownerReferences ?? [];
      if (latest.metadata.uid !== d.obj.metadata.uid || !refs.some((r) => r.uid === uid)) continue;
      await patchOwnerReferences(d.m, latest, refs.filter((r) => r.uid !== uid));
    }
    await removeFinalizer(m, owner, finalizerOrphan);
  }

  function enqueueOwners(refs: OwnerReference[] | undefined): void {
    for (const r of refs ?? []) {
      const owner = cachedOwner(r);
      if (owner) queue.add(itemKey(owner.m, owner.obj));
    }
  }

  function enqueueDependents(uid: string | undefined): void {
    if (!uid) return;
    for (const d of dependentsOf(uid)) queue.add(itemKey(d.m, d.obj));
  }

  function sameStrings(a: string[] | undefined, b: string[] | undefined): boolean {
    return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
  }

  return {
    name: 'garbage-collector',
    start() {
      for (const m of monitors.values()) {
        m.informer.addHandlers({
          add: (o) => {
            if (o.metadata.ownerReferences?.length || o.metadata.deletionTimestamp) queue.add(itemKey(m, o));
          },
          update: (old, o) => {
            const refsChanged = JSON.stringify(old.metadata.ownerReferences ?? []) !== JSON.stringify(o.metadata.ownerReferences ?? []);
            const deletionChanged = old.metadata.deletionTimestamp !== o.metadata.deletionTimestamp || !sameStrings(old.metadata.finalizers, o.metadata.finalizers);
            if (refsChanged || deletionChanged) queue.add(itemKey(m, o));
            // An owner starting a foreground or orphan deletion concerns its dependents.
            if (deletionChanged && o.metadata.deletionTimestamp) enqueueDependents(o.metadata.uid);
            // A dependent that stopped blocking (or started being deleted) concerns its owners.
            if (refsChanged) enqueueOwners(old.metadata.ownerReferences);
          },
          delete: (o) => {
            enqueueDependents(o.metadata.uid);
            enqueueOwners(o.metadata.ownerReferences);
          },
        });
      }
    },
    stop() {
      queue.stop();
    },
  };
}
