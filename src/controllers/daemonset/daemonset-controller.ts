// The DaemonSet controller (upstream pkg/controller/daemon/daemon_controller.go): one daemon
// pod on every node that should run it. A sync reads caches only: it records the template as a
// ControllerRevision, creates pods pinned to their node (required node affinity
// `metadata.name In [node]`, bound by the default scheduler) and deletes those of nodes that
// should not run one, rolls old pods over to the current revision (RollingUpdate; OnDelete
// waits for users to delete them), prunes old revisions and writes the counts in status.
// The decisions are pure modules beside this one; this file wires informers to the queue.
import { isNotFound, isConflict } from '../../api/errors.js';
import { labelSelectorAsRequirements, matchLabels } from '../../api/labels.js';
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../api/types.js';
import { templateGenerationOf } from '../../api/daemonset-template-generation.js';
import { resourceFor } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { objectKey, splitKey, type Informer } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import { Backoff } from '../../util/backoff.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { controllerRevisionsResource } from '../history/controller-history.js';
import { failedCreatePodReason, failedDeletePodReason, isNamespaceTerminating, successfulCreatePodReason, successfulDeletePodReason } from '../replicaset-controller.js';
import { ControllerExpectations } from '../replicaset/controller-expectations.js';
import { isPodReady } from '../replicaset/pod-conditions.js';
import { claimPods, controllerOf, newControllerRef } from '../replicaset/controller-ref-manager.js';
import { getPodFromTemplate } from '../replicaset/pod-from-template.js';
import { settleInBatches, slowStartBatch, slowStartInitialBatchSize } from '../replicaset/slow-start.js';
import { controllerRevisionHashLabel, createPodTemplate, replaceNodeNameNodeAffinity, targetNodeName } from './daemon-pods.js';
import { DaemonSetHistory, daemonSetKind, daemonSetsResource } from './daemonset-history.js';
import { calculateDaemonSetCounts, daemonSetStatusCurrent, serialisedDaemonSetStatus } from './daemonset-status.js';
import { nodeShouldRunDaemonPod } from './node-should-run.js';
import { podsShouldBeOnNode } from './pods-should-be-on-node.js';
import { rollingUpdateActions, rollingUpdateBudget } from './rolling-update.js';

/** BurstReplicas: the most pods one sync creates or deletes (250 keeps registries from being flooded). */
export const burstReplicas = 250;
/** Workers: --concurrent-daemonset-syncs default. */
const workers = 2;
/** The failed-pod deletion back-off kube-controller-manager gives the controller: 1s doubling to 15m. */
const failedPodsBackoffInitialMs = 1000;
const failedPodsBackoffMaxMs = 15 * 60_000;

/** Event reason SelectingAllReason. */
export const selectingAllReason = 'SelectingAll';

const podsResource = resourceFor('pods');
const nodesResource = resourceFor('nodes');

/** Status conditions that are True, by type (nodeInSameCondition compares only those). */
function trueConditions(node: Node): string[] {
  return (node.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type).sort();
}

/** shouldIgnoreNodeUpdate: heartbeats and resourceVersion alone do not concern DaemonSets. */
function nodeUpdateIrrelevant(old: Node, cur: Node): boolean {
  if (trueConditions(old).join() !== trueConditions(cur).join()) return false;
  const strip = (n: Node) => ({ ...n, metadata: { ...n.metadata, resourceVersion: undefined, managedFields: undefined }, status: { ...n.status, conditions: undefined } });
  return JSON.stringify(strip(old)) === JSON.stringify(strip(cur));
}

class DaemonSetsController implements Controller {
  readonly name = 'daemonset-controller';
  private readonly queue: WorkQueue;
  private readonly dsInformer: Informer<DaemonSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly nodeInformer: Informer<Node>;
  private readonly revisionInformer: Informer<ControllerRevision>;
  private readonly recorder: EventRecorder;
  private readonly expectations: ControllerExpectations;
  private readonly history: DaemonSetHistory;
  private readonly failedPodsBackoff = new Backoff(failedPodsBackoffInitialMs, failedPodsBackoffMaxMs);

  constructor(private readonly ctx: ControllerContext) {
    this.dsInformer = ctx.informers.for<DaemonSet>(daemonSetsResource);
    this.podInformer = ctx.informers.for<Pod>(podsResource);
    this.nodeInformer = ctx.informers.for<Node>(nodesResource);
    this.revisionInformer = ctx.informers.for<ControllerRevision>(controllerRevisionsResource);
    this.recorder = ctx.recorder(this.name);
    this.expectations = new ControllerExpectations(() => ctx.now().getTime());
    this.history = new DaemonSetHistory(ctx.client, this.revisionInformer);
    this.queue = new WorkQueue((key) => this.syncDaemonSet(key), { name: this.name, workers, logger: ctx.logger });
  }

  start(): void {
    this.dsInformer.addHandlers({
      add: (ds) => this.enqueue(ds),
      update: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.expectations.delete(objectKey(old));
        this.enqueue(cur);
      },
      delete: (ds) => {
        this.expectations.delete(objectKey(ds));
        this.enqueue(ds);
      },
    });
    this.revisionInformer.addHandlers({
      add: (r) => this.ownerChanged(r),
      update: (old, cur) => {
        if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) this.ownerChanged(cur, old);
      },
      delete: (r) => this.ownerChanged(r),
    });
    this.podInformer.addHandlers({
      add: (pod) => this.addPod(pod),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (pod) => this.deletePod(pod),
    });
    this.nodeInformer.addHandlers({
      add: (node) => {
        for (const ds of this.dsInformer.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
      },
      update: (old, cur) => {
        const daemonSets = this.dsInformer.list();
        if (!daemonSets.length || nodeUpdateIrrelevant(old, cur)) return;
        for (const ds of daemonSets) {
          const a = nodeShouldRunDaemonPod(old, ds);
          const b = nodeShouldRunDaemonPod(cur, ds);
          if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
        }
      },
      // Upstream waits for PodGC to delete a removed node's pods before the counts change;
      // kanzen recounts at once (the pods themselves are still PodGC's to delete).
      delete: (node) => {
        for (const ds of this.dsInformer.list()) if (nodeShouldRunDaemonPod(node, ds).shouldContinueRunning) this.enqueue(ds);
      },
    });
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves when nothing is queued (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private enqueue(ds: DaemonSet): void {
    this.queue.add(objectKey(ds));
  }

  /** resolveControllerRef */
  private resolveControllerRef(namespace: string | undefined, obj: Pod | ControllerRevision): DaemonSet | undefined {
    const ref = controllerOf(obj.metadata);
    if (!ref || ref.kind !== daemonSetKind.kind) return undefined;
    const ds = this.dsInformer.getByName(namespace, ref.name);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  /** GetPodDaemonSets / GetHistoryDaemonSets: the DaemonSets whose selector matches an orphan. */
  private selecting(obj: Pod | ControllerRevision): DaemonSet[] {
    if (!obj.metadata.labels) return [];
    return this.dsInformer.list(obj.metadata.namespace).filter((ds) => {
      try {
        const reqs = labelSelectorAsRequirements(ds.spec.selector);
        return reqs !== null && reqs.length > 0 && matchLabels(reqs, obj.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  /** addHistory/updateHistory/deleteHistory: the owner of a revision, or the DaemonSets that may adopt an orphan. */
  private ownerChanged(cur: ControllerRevision, old?: ControllerRevision): void {
    if (old && controllerOf(old.metadata)?.uid !== controllerOf(cur.metadata)?.uid) {
      const prev = this.resolveControllerRef(old.metadata.namespace, old);
      if (prev) this.enqueue(prev);
    }
    if (controllerOf(cur.metadata)) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, cur);
      if (ds) this.enqueue(ds);
      return;
    }
    for (const ds of this.selecting(cur)) this.enqueue(ds);
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      // A pod that shows up already being deleted (after a relist) is no creation.
      this.deletePod(pod);
      return;
    }
    if (controllerOf(pod.metadata)) {
      const ds = this.resolveControllerRef(pod.metadata.namespace, pod);
      if (!ds) return;
      this.expectations.creationObserved(objectKey(ds));
      this.enqueue(ds);
      return;
    }
    for (const ds of this.selecting(pod)) this.enqueue(ds);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      // A graceful deletion counts as the deletion: a replacement need not wait for the kubelet.
      this.deletePod(cur);
      return;
    }
    const curRef = controllerOf(cur.metadata);
    const oldRef = controllerOf(old.metadata);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const prev = this.resolveControllerRef(old.metadata.namespace, old);
      if (prev) this.enqueue(prev);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, cur);
      if (!ds) return;
      this.enqueue(ds);
      // Availability changes minReadySeconds after readiness without another pod event.
      const minReady = ds.spec.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(objectKey(ds), minReady * 1000 + 1000);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const ds of this.selecting(cur)) this.enqueue(ds);
  }

  private deletePod(pod: Pod): void {
    if (!controllerOf(pod.metadata)) return;
    const ds = this.resolveControllerRef(pod.metadata.namespace, pod);
    if (!ds) return;
    this.expectations.deletionObserved(objectKey(ds), objectKey(pod));
    this.enqueue(ds);
  }

  /** getDaemonPods: the DaemonSet's pods after adopting matching orphans and releasing non-matching ones. */
  private async daemonPods(ds: DaemonSet): Promise<Pod[]> {
    const candidates = new Set([...this.podInformer.candidatesForSelector(ds.metadata.namespace, ds.spec.selector?.matchLabels), ...this.podInformer.ownedBy(ds.metadata.uid!)]);
    const { claimed, errors } = await claimPods(this.ctx.client, ds, daemonSetsResource, daemonSetKind, labelSelectorAsRequirements(ds.spec.selector), [...candidates]);
    if (errors.length) throw errors[0];
    return claimed;
  }

  /**
   * getNodesToDaemonPods: claimed pods by the node they run on or are pinned to. Terminal pods
   * being deleted are left out unless asked for (history cleanup keeps their revisions).
   */
  private async nodesToDaemonPods(ds: DaemonSet, includeDeletedTerminal = false): Promise<Map<string, Pod[]>> {
    const out = new Map<string, Pod[]>();
    for (const pod of await this.daemonPods(ds)) {
      const terminal = pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
      if (!includeDeletedTerminal && terminal && pod.metadata.deletionTimestamp) continue;
      const node = targetNodeName(pod);
      if (!node) continue;
      (out.get(node) ?? out.set(node, []).get(node)!).push(pod);
    }
    return out;
  }

  async syncDaemonSet(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.dsInformer.getByName(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const ds = structuredClone(cached);
    const nodes = this.nodeInformer.list();
    const sel = ds.spec.selector;
    if (sel && !Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      this.recorder.event(ds, 'Warning', selectingAllReason, 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // Revisions a DaemonSet being deleted owned may be gone or orphaned already: its status cannot be trusted.
    if (ds.metadata.deletionTimestamp) return;
    const { cur, old } = await this.history.construct(ds, () => this.podInformer.ownedBy(ds.metadata.uid!));
    const hash = cur.metadata.labels?.[controllerRevisionHashLabel] ?? '';
    if (!this.expectations.satisfied(key)) return this.updateStatus(ds, nodes, hash, false);
    let err: unknown;
    let requeue: ReconcileResult = undefined;
    try {
      requeue = await this.updateDaemonSet(ds, nodes, hash, key, old);
    } catch (e) {
      err = e;
    }
    const statusRequeue = await this.updateStatus(ds, nodes, hash, true).catch((e) => {
      err ??= e;
    });
    if (err) throw err;
    return shorter(requeue, statusRequeue ?? undefined);
  }

  /** updateDaemonSet: manage, then roll out (RollingUpdate) once expectations are met, then prune history. */
  private async updateDaemonSet(ds: DaemonSet, nodes: Node[], hash: string, key: string, old: ControllerRevision[]): Promise<ReconcileResult> {
    const requeue = await this.manage(ds, nodes, hash);
    if (this.expectations.satisfied(key) && ds.spec.updateStrategy?.type === 'RollingUpdate') await this.rollingUpdate(ds, nodes, hash);
    const pods = [...(await this.nodesToDaemonPods(ds, true)).values()].flat();
    await this.history.cleanup(ds, old, pods);
    return requeue;
  }

  /** manage: the per-node decisions, plus unscheduled pods pinned to nodes that no longer exist (PodGC cannot see those). */
  private async manage(ds: DaemonSet, nodes: Node[], hash: string): Promise<ReconcileResult> {
    const nodeToDaemonPods = await this.nodesToDaemonPods(ds);
    const now = this.ctx.now();
    const nodesNeeding: string[] = [];
    const podsToDelete: string[] = [];
    let requeue: ReconcileResult = undefined;
    for (const node of nodes) {
      const plan = podsShouldBeOnNode(node, nodeToDaemonPods.get(node.metadata.name!), ds, hash, this.failedPodsBackoff, now);
      if (plan.create) nodesNeeding.push(node.metadata.name!);
      podsToDelete.push(...plan.podsToDelete);
      for (const e of plan.events) this.recorder.event(ds, e.type, e.reason, e.message);
      if (plan.requeueAfterMs) requeue = shorter(requeue, { requeueAfterMs: plan.requeueAfterMs });
    }
    const existing = new Set(nodes.map((n) => n.metadata.name!));
    for (const [node, pods] of nodeToDaemonPods) {
      if (!existing.has(node)) podsToDelete.push(...pods.filter((p) => !p.spec.nodeName).map((p) => p.metadata.name!));
    }
    await this.syncNodes(ds, podsToDelete, nodesNeeding, hash);
    return requeue;
  }

  /** rollingUpdate: the deletions (and, with surge, creations) the update budget allows now. */
  private async rollingUpdate(ds: DaemonSet, nodes: Node[], hash: string): Promise<void> {
    const nodeToDaemonPods = await this.nodesToDaemonPods(ds);
    let desired = 0;
    for (const node of nodes) {
      if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
      desired++;
      if (!nodeToDaemonPods.has(node.metadata.name!)) nodeToDaemonPods.set(node.metadata.name!, []);
    }
    const { maxSurge, maxUnavailable } = rollingUpdateBudget(ds, desired);
    const actions = rollingUpdateActions({ ds, nodeToDaemonPods, hash, templateGeneration: templateGenerationOf(ds), maxSurge, maxUnavailable, now: this.ctx.now() });
    await this.syncNodes(ds, actions.podsToDelete, actions.nodesToCreate, hash);
  }

  /** syncNodes: expectations first, then creations in slow-start batches and deletions in parallel. */
  private async syncNodes(ds: DaemonSet, podsToDelete: string[], nodesNeeding: string[], hash: string): Promise<void> {
    const key = objectKey(ds);
    const creates = nodesNeeding.slice(0, burstReplicas);
    const deletes = podsToDelete.slice(0, burstReplicas);
    if (!creates.length && !deletes.length) return;
    this.expectations.setExpectations(key, creates.length, deletes.map((n) => `${ds.metadata.namespace}/${n}`));
    const template = createPodTemplate(ds.spec.template, templateGenerationOf(ds), hash);
    const errors: unknown[] = [];
    let next = 0;
    const { error } = await slowStartBatch(creates.length, slowStartInitialBatchSize, () => this.createPod(ds, template, creates[next++]));
    if (error) {
      errors.push(error);
      // Creations never attempted after a failing batch are not expected either.
      for (let i = next; i < creates.length; i++) this.expectations.creationObserved(key);
    }
    const results = await settleInBatches(deletes, (name) => this.deletePodOf(ds, name));
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      this.expectations.deletionObserved(key, `${ds.metadata.namespace}/${deletes[i]}`);
      if (!isNotFound(r.reason)) errors.push(r.reason);
    });
    if (errors.length) throw errors[0];
  }

  private async createPod(ds: DaemonSet, template: ReturnType<typeof createPodTemplate>, nodeName: string): Promise<void> {
    const pod = getPodFromTemplate(template, ds, newControllerRef(ds, daemonSetKind.apiVersion, daemonSetKind.kind));
    // Pinned by required node affinity, so the default scheduler binds it to this node.
    pod.spec.affinity = replaceNodeNameNodeAffinity(pod.spec.affinity, nodeName);
    try {
      const created = await this.ctx.client.create<Pod>(podsResource, ds.metadata.namespace, pod);
      this.recorder.event(ds, 'Normal', successfulCreatePodReason, `Created pod: ${created.metadata.name}`);
    } catch (e) {
      this.expectations.creationObserved(objectKey(ds));
      // A terminating namespace refuses pods; every later creation would fail the same way.
      if (isNamespaceTerminating(e)) return;
      this.recorder.event(ds, 'Warning', failedCreatePodReason, `Error creating: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  private async deletePodOf(ds: DaemonSet, name: string): Promise<void> {
    try {
      await this.ctx.client.delete(podsResource, ds.metadata.namespace, name);
    } catch (e) {
      if (!isNotFound(e)) this.recorder.event(ds, 'Warning', failedDeletePodReason, `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    this.recorder.event(ds, 'Normal', successfulDeletePodReason, `Deleted pod: ${name}`);
  }

  /**
   * updateDaemonSetStatus: writes the counts (and observedGeneration when this sync acted on
   * the generation), retrying once on a conflict; a DaemonSet whose pods are ready but not yet
   * available is synced again after minReadySeconds.
   */
  private async updateStatus(ds: DaemonSet, nodes: Node[], hash: string, updateObservedGen: boolean): Promise<ReconcileResult> {
    const now = this.ctx.now();
    const counts = calculateDaemonSetCounts(ds, nodes, await this.nodesToDaemonPods(ds), hash, templateGenerationOf(ds), now);
    if (!daemonSetStatusCurrent(ds, counts)) {
      let target = ds;
      for (let attempt = 0; ; attempt++) {
        const observed = updateObservedGen ? ds.metadata.generation : target.status?.observedGeneration;
        try {
          await this.ctx.client.updateStatus<DaemonSet>(daemonSetsResource, { ...target, status: serialisedDaemonSetStatus(target.status, counts, observed) });
          break;
        } catch (e) {
          if (isNotFound(e)) return;
          if (!isConflict(e) || attempt >= 1) throw e;
          target = await this.ctx.client.get<DaemonSet>(daemonSetsResource, ds.metadata.namespace, ds.metadata.name!);
        }
      }
    }
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) return { requeueAfterMs: minReady * 1000 };
  }
}

/** The sooner of two requeue requests. */
function shorter(a: ReconcileResult, b: ReconcileResult): ReconcileResult {
  if (!a) return b;
  if (!b) return a;
  return a.requeueAfterMs <= b.requeueAfterMs ? a : b;
}

export function newDaemonSetsController(ctx: ControllerContext): Controller & { idle(): Promise<void> } {
  return new DaemonSetsController(ctx);
}
