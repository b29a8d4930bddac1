// The StatefulSet controller (upstream pkg/controller/statefulset/stateful_set.go): wires the
// set, pod, revision and claim informers to a queue of set keys; a sync adopts orphaned
// revisions, claims the set's pods (selector and `<set>-<ordinal>` name) and runs one pass of
// the update algorithm (statefulset-control.ts).
import type { ControllerRevision, Pod, StatefulSet } from '../../api/types.js';
import { labelSelectorAsRequirements, matchLabels } from '../../api/labels.js';
import { objectKey, splitKey, type Informer } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { ControllerHistory, controllerRevisionsResource } from '../history/controller-history.js';
import { adoptPatch, claimObjects, controllerOf, newControllerRef, recheckDeletionTimestamp, releasePatch } from '../replicaset/controller-ref-manager.js';
import { isPodReady } from '../replicaset/pod-conditions.js';
import { claimsResource, podsResource, StatefulPodControl } from './stateful-pod-control.js';
import { StatefulSetControl } from './statefulset-control.js';
import { statefulSetsResource } from './statefulset-status.js';
import { controllerKind, isMemberOf, type PersistentVolumeClaimFromTemplate } from './statefulset-utils.js';

/** Workers: --concurrent-statefulset-syncs default. */
const workers = 5;

function selectorMatches(set: StatefulSet, labels: Record<string, string> | undefined): boolean {
  try {
    return matchLabels(labelSelectorAsRequirements(set.spec.selector), labels);
  } catch {
    return false;
  }
}

class StatefulSetController implements Controller {
  readonly name = 'statefulset-controller';
  private readonly queue: WorkQueue;
  private readonly setInformer: Informer<StatefulSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly control: StatefulSetControl;
  private readonly history: ControllerHistory;

  constructor(private readonly ctx: ControllerContext) {
    this.setInformer = ctx.informers.for<StatefulSet>(statefulSetsResource);
    this.podInformer = ctx.informers.for<Pod>(podsResource);
    const revisions = ctx.informers.for<ControllerRevision>(controllerRevisionsResource);
    const claims = ctx.informers.for<PersistentVolumeClaimFromTemplate>(claimsResource);
    const podControl = new StatefulPodControl(ctx.client, this.podInformer, claims, ctx.recorder(this.name));
    this.history = new ControllerHistory(ctx.client, revisions);
    this.control = new StatefulSetControl({
      client: ctx.client,
      setInformer: this.setInformer,
      podControl,
      history: this.history,
      now: ctx.now,
    });
    this.queue = new WorkQueue((key) => this.sync(key), { name: this.name, workers, logger: ctx.logger });
  }

  start(): void {
    this.setInformer.addHandlers({
      add: (s) => this.enqueue(s),
      update: (_old, cur) => this.enqueue(cur),
      delete: (s) => this.enqueue(s),
    });
    this.podInformer.addHandlers({
      add: (p) => this.addPod(p),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (p) => this.deletePod(p),
    });
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves when nothing is queued (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private enqueue(set: StatefulSet): void {
    this.queue.add(objectKey(set));
  }

  /** resolveControllerRef: the set a pod's controller reference names, if it is still that one. */
  private setOf(pod: Pod): StatefulSet | undefined {
    const ref = controllerOf(pod.metadata);
    if (!ref || ref.kind !== controllerKind.kind || !ref.apiVersion.startsWith('apps/')) return undefined;
    const set = this.setInformer.getByName(pod.metadata.namespace, ref.name);
    return set && set.metadata.uid === ref.uid ? set : undefined;
  }

  /** getStatefulSetsForPod: the sets whose selector matches an orphan pod. */
  private setsMatching(pod: Pod): StatefulSet[] {
    if (!pod.metadata.labels) return [];
    return this.setInformer.list(pod.metadata.namespace).filter((s) => selectorMatches(s, pod.metadata.labels));
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod);
    if (controllerOf(pod.metadata)) {
      const set = this.setOf(pod);
      if (set) this.enqueue(set);
      return;
    }
    for (const set of this.setsMatching(pod)) this.enqueue(set);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    const curRef = controllerOf(cur.metadata);
    const oldRef = controllerOf(old.metadata);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const oldSet = this.setOf(old);
      if (oldSet) this.enqueue(oldSet);
    }
    if (curRef) {
      const set = this.setOf(cur);
      if (!set) return;
      this.enqueue(set);
      // Availability comes minReadySeconds after readiness, with no pod event to announce it.
      const minReady = set.spec.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(objectKey(set), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const set of this.setsMatching(cur)) this.enqueue(set);
  }

  private deletePod(pod: Pod): void {
    const set = this.setOf(pod);
    if (set) this.enqueue(set);
  }

  /** adoptOrphanRevisions: revisions the selector matches that nobody controls become the set's. */
  private async adoptOrphanRevisions(set: StatefulSet): Promise<void> {
    const orphans = this.control.listRevisions(set).filter((r) => !controllerOf(r.metadata));
    if (!orphans.length) return;
    try {
      await recheckDeletionTimestamp(this.ctx.client, statefulSetsResource, set)();
    } catch (e) {
      throw new Error(`can't adopt ControllerRevisions: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const r of orphans) await this.history.adopt(set, controllerKind, r);
  }

  /** getPodsForStatefulSet: pods the selector matches and whose name makes them members, adopted or released. */
  private async podsForStatefulSet(set: StatefulSet): Promise<Pod[]> {
    const ownerRef = newControllerRef(set, controllerKind.apiVersion, controllerKind.kind);
    const candidates = new Set([...this.podInformer.candidatesForSelector(set.metadata.namespace, set.spec.selector?.matchLabels), ...this.podInformer.ownedBy(set.metadata.uid!)]);
    const { claimed, errors } = await claimObjects([...candidates], {
      owner: set,
      ownerRef,
      match: (pod) => selectorMatches(set, pod.metadata.labels) && isMemberOf(set, pod),
      canAdopt: recheckDeletionTimestamp(this.ctx.client, statefulSetsResource, set),
      adopt: async (pod) => {
        await this.ctx.client.patch(podsResource, pod.metadata.namespace, pod.metadata.name!, 'strategic', adoptPatch(ownerRef, pod.metadata.uid));
      },
      release: async (pod) => {
        await this.ctx.client.patch(podsResource, pod.metadata.namespace, pod.metadata.name!, 'strategic', releasePatch(set.metadata.uid, pod.metadata.uid));
      },
    });
    if (errors.length) throw errors[0];
    return claimed;
  }

  async sync(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const set = this.setInformer.getByName(namespace, name);
    if (!set) return;
    try {
      labelSelectorAsRequirements(set.spec.selector);
    } catch {
      // A selector that does not convert is not going to: no retry.
      return;
    }
    await this.adoptOrphanRevisions(set);
    const pods = await this.podsForStatefulSet(set);
    const status = await this.control.updateStatefulSet(set, pods);
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady > 0 && status && status.availableReplicas !== (set.spec.replicas ?? 1)) return { requeueAfterMs: minReady * 1000 };
  }
}

export function newStatefulSetController(ctx: ControllerContext): Controller & { idle(): Promise<void> } {
  return new StatefulSetController(ctx);
}
