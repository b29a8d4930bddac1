// The ReplicaSet controller (upstream pkg/controller/replicaset/replica_set.go): keeps
// spec.replicas pods matching the selector alive, creating them from spec.template and
// deleting the cheapest ones first, and reports what it counted in status. The same
// controller runs ReplicationControllers through a conversion adapter (a ReplicaSetKind), as
// upstream's replication manager does.
import type { KubeObject, Pod, ReplicaSet, ReplicaSetStatus } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import { labelSelectorAsRequirements, matchLabels } from '../api/labels.js';
import { isNotFound } from '../api/errors.js';
import { resourceFor } from '../client/api-client.js';
import { objectKey, splitKey, type Informer } from '../client/informer.js';
import type { EventRecorder } from '../client/event-recorder.js';
import { WorkQueue, type ReconcileResult } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';
import { ControllerExpectations } from './replicaset/controller-expectations.js';
import { getPodFromTemplate } from './replicaset/pod-from-template.js';
import { settleInBatches, slowStartBatch, slowStartInitialBatchSize } from './replicaset/slow-start.js';
import { getPodsToDelete } from './replicaset/active-pods-with-ranks.js';
import { isPodActive, isPodReady } from './replicaset/pod-conditions.js';
import { calculateReplicaSetStatus, replicaSetStatusChanged } from './replicaset/replicaset-status.js';
import { claimPods, controllerOf, newControllerRef } from './replicaset/controller-ref-manager.js';

/** BurstReplicas: the most pods one sync creates or deletes (kube-controller-manager default). */
export const burstReplicas = 500;
/** Workers: --concurrent-replicaset-syncs default. */
const workers = 5;

const podsResource = resourceFor('pods');

/**
 * What the controller runs on (upstream: the ReplicaSet types, or the replication manager's
 * conversion of ReplicationControllers to them): the resource, the controller reference it
 * writes, and the conversion between the stored object and a ReplicaSet.
 */
export interface ReplicaSetKind {
  /** The controller's name, also its events' source component. */
  name: string;
  resource: ResourceInfo;
  controllerKind: { apiVersion: string; kind: string };
  toReplicaSet(obj: KubeObject): ReplicaSet;
  fromReplicaSet(rs: ReplicaSet): KubeObject;
}

export const replicaSetKind: ReplicaSetKind = {
  name: 'replicaset-controller',
  resource: resourceFor('replicasets', 'apps'),
  controllerKind: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  toReplicaSet: (obj) => obj as ReplicaSet,
  fromReplicaSet: (rs) => rs,
};

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Event reasons (controller.SuccessfulCreatePodReason etc.). */
export const successfulCreatePodReason = 'SuccessfulCreate';
export const failedCreatePodReason = 'FailedCreate';
export const successfulDeletePodReason = 'SuccessfulDelete';
export const failedDeletePodReason = 'FailedDelete';

/** GetPodFromTemplate: a pod named after its controller, carrying the template's labels and the controller reference. */
export function podFromTemplate(rs: ReplicaSet, controllerKind: ReplicaSetKind['controllerKind']): Pod {
  return getPodFromTemplate(rs.spec.template!, rs, newControllerRef(rs, controllerKind.apiVersion, controllerKind.kind));
}

/** Status with Go's omitempty applied, as the API would serialise it. */
function serialisedStatus(s: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: s.replicas };
  if (s.fullyLabeledReplicas) out.fullyLabeledReplicas = s.fullyLabeledReplicas;
  if (s.readyReplicas) out.readyReplicas = s.readyReplicas;
  if (s.availableReplicas) out.availableReplicas = s.availableReplicas;
  if (s.observedGeneration) out.observedGeneration = s.observedGeneration;
  if (s.conditions?.length) out.conditions = s.conditions;
  return out;
}

class ReplicaSetController implements Controller {
  readonly name: string;
  private readonly queue: WorkQueue;
  private readonly rsInformer: Informer<KubeObject>;
  private readonly podInformer: Informer<Pod>;
  private readonly recorder: EventRecorder;
  readonly expectations: ControllerExpectations;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicaSetKind,
  ) {
    this.name = kind.name;
    this.rsInformer = ctx.informers.for<KubeObject>(kind.resource);
    this.podInformer = ctx.informers.for<Pod>(podsResource);
    this.recorder = ctx.recorder(this.name);
    this.expectations = new ControllerExpectations(() => ctx.now().getTime());
    this.queue = new WorkQueue((key) => this.syncReplicaSet(key), { name: this.name, workers, logger: ctx.logger });
  }

  start(): void {
    this.rsInformer.addHandlers({
      add: (rs) => this.enqueue(rs),
      update: (old, cur) => {
        if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) this.enqueue(cur);
      },
      delete: (rs) => {
        this.expectations.delete(objectKey(rs));
        this.enqueue(rs);
      },
    });
    this.podInformer.addHandlers({
      add: (pod) => this.addPod(pod),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (pod) => this.deletePod(pod),
    });
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves when nothing is queued (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** The cached object of that name, as a ReplicaSet. */
  private cachedReplicaSet(namespace: string | undefined, name: string): ReplicaSet | undefined {
    const obj = this.rsInformer.getByName(namespace, name);
    return obj && this.kind.toReplicaSet(obj);
  }

  private cachedReplicaSets(namespace: string | undefined): ReplicaSet[] {
    return this.rsInformer.list(namespace).map((o) => this.kind.toReplicaSet(o));
  }

  private enqueue(rs: KubeObject): void {
    this.queue.add(objectKey(rs));
  }

  /** resolveControllerRef: the ReplicaSet a controller reference names, if it is still that one. */
  private resolveControllerRef(namespace: string | undefined, pod: Pod): ReplicaSet | undefined {
    const ref = controllerOf(pod.metadata);
    const { controllerKind } = this.kind;
    if (!ref || ref.kind !== controllerKind.kind || groupOf(ref.apiVersion) !== groupOf(controllerKind.apiVersion)) return undefined;
    const rs = this.cachedReplicaSet(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** getPodReplicaSets: the ReplicaSets whose selector matches an orphan pod. */
  private podReplicaSets(pod: Pod): ReplicaSet[] {
    if (!pod.metadata.labels) return [];
    return this.cachedReplicaSets(pod.metadata.namespace).filter((rs) => {
      try {
        const reqs = labelSelectorAsRequirements(rs.spec.selector);
        return reqs !== null && reqs.length > 0 && matchLabels(reqs, pod.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      // A pod that shows up already being deleted (e.g. after a relist) must not count as a creation.
      this.deletePod(pod);
      return;
    }
    if (controllerOf(pod.metadata)) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, pod);
      if (!rs) return;
      this.expectations.creationObserved(objectKey(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of this.podReplicaSets(pod)) this.enqueue(rs);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // A graceful deletion is a deletion as far as expectations go (upstream updatePod).
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = controllerOf(cur.metadata);
    const oldRef = controllerOf(old.metadata);
    if (oldRef && (!curRef || curRef.uid !== oldRef.uid)) {
      const oldRS = this.resolveControllerRef(old.metadata.namespace, old);
      if (oldRS) this.enqueue(oldRS);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, cur);
      if (!rs) return;
      this.enqueue(rs);
      // Availability changes minReadySeconds after readiness without any further pod event.
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(objectKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || oldRef) for (const rs of this.podReplicaSets(cur)) this.enqueue(rs);
  }

  private deletePod(pod: Pod): void {
    if (!controllerOf(pod.metadata)) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace, pod);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.enqueue(rs);
  }

  /** syncReplicaSet: claim pods, create or delete to match spec.replicas, write status. */
  async syncReplicaSet(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.cachedReplicaSet(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const rs = structuredClone(cached);
    const { controllerKind } = this.kind;
    const needsSync = this.expectations.satisfied(key);
    const selector = labelSelectorAsRequirements(rs.spec.selector);
    // Candidates: pods the selector may match, and pods this ReplicaSet owns (to release them).
    const candidates = new Set([...this.podInformer.candidatesForSelector(namespace, rs.spec.selector?.matchLabels), ...this.podInformer.ownedBy(rs.metadata.uid!)]);
    const active = [...candidates].filter(isPodActive);
    const { claimed, errors } = await claimPods(this.ctx.client, rs, this.kind.resource, controllerKind, selector, active);
    if (errors.length) throw errors[0];

    let manageErr: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(claimed, rs);
      } catch (e) {
        manageErr = e;
      }
    }
    const now = this.ctx.now();
    const status = calculateReplicaSetStatus(rs, claimed, manageErr, now);
    let updated = rs;
    if (replicaSetStatusChanged(rs, status)) {
      status.observedGeneration = rs.metadata.generation;
      try {
        const written = await this.ctx.client.updateStatus<KubeObject>(this.kind.resource, this.kind.fromReplicaSet({ ...rs, status: serialisedStatus(status) }));
        updated = this.kind.toReplicaSet(written);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }
    if (manageErr) throw manageErr;
    const replicas = updated.spec.replicas ?? 1;
    const minReady = updated.spec.minReadySeconds ?? 0;
    if (minReady > 0 && (updated.status?.readyReplicas ?? 0) === replicas && (updated.status?.availableReplicas ?? 0) !== replicas) {
      return { requeueAfterMs: minReady * 1000 };
    }
  }

  private async manageReplicas(pods: Pod[], rs: ReplicaSet): Promise<void> {
    const key = objectKey(rs);
    let diff = pods.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      diff = Math.min(-diff, burstReplicas);
      // Expect all creations before any is attempted: the watch events can beat the responses.
      this.expectations.expectCreations(key, diff);
      const { successes, error } = await slowStartBatch(diff, slowStartInitialBatchSize, () => this.createPod(rs));
      for (let i = 0; i < diff - successes; i++) this.expectations.creationObserved(key);
      if (error) throw error;
      return;
    }
    if (diff > 0) {
      diff = Math.min(diff, burstReplicas);
      const podsToDelete = getPodsToDelete(pods, this.indirectlyRelatedPods(rs), diff, this.ctx.now().getTime());
      this.expectations.expectDeletions(key, podsToDelete.map(objectKey));
      const results = await settleInBatches(podsToDelete, (pod) => this.deletePodOf(rs, pod));
      for (let i = 0; i < results.length; i++) {
        const r = results[i];
        if (r.status === 'rejected') {
          this.expectations.deletionObserved(key, objectKey(podsToDelete[i]));
          if (!isNotFound(r.reason)) throw r.reason;
        }
      }
    }
  }

  /** getIndirectlyRelatedPods: pods of every ReplicaSet sharing this one's controller (a Deployment's other revisions). */
  private indirectlyRelatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerOf(rs.metadata);
    const related = owner
      ? this.cachedReplicaSets(rs.metadata.namespace).filter((r) => controllerOf(r.metadata)?.uid === owner.uid)
      : [rs];
    const uids = new Set(related.map((r) => r.metadata.uid));
    return this.podInformer.list(rs.metadata.namespace).filter((p) => uids.has(controllerOf(p.metadata)?.uid));
  }

  private async createPod(rs: ReplicaSet): Promise<void> {
    const pod = podFromTemplate(rs, this.kind.controllerKind);
    if (!Object.keys(pod.metadata.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.ctx.client.create<Pod>(podsResource, rs.metadata.namespace, pod);
      this.recorder.event(rs, 'Normal', successfulCreatePodReason, `Created pod: ${created.metadata.name}`);
    } catch (e) {
      // A terminating namespace refuses pods; that is not the ReplicaSet's failure (upstream ignores it).
      if (isNamespaceTerminating(e)) return;
      this.recorder.event(rs, 'Warning', failedCreatePodReason, `Error creating: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  private async deletePodOf(rs: ReplicaSet, pod: Pod): Promise<void> {
    try {
      await this.ctx.client.delete(podsResource, pod.metadata.namespace, pod.metadata.name!);
    } catch (e) {
      if (!isNotFound(e)) this.recorder.event(rs, 'Warning', failedDeletePodReason, `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    this.recorder.event(rs, 'Normal', successfulDeletePodReason, `Deleted pod: ${pod.metadata.name}`);
  }
}

/** A create refused because the namespace is terminating (NamespaceTerminatingCause). */
export function isNamespaceTerminating(e: unknown): boolean {
  const causes = (e as { status?: { details?: { causes?: { reason?: string }[] } } }).status?.details?.causes;
  return !!causes?.some((c) => c.reason === 'NamespaceTerminating');
}

export function newReplicaSetController(ctx: ControllerContext): Controller & { idle(): Promise<void> } {
  return new ReplicaSetController(ctx, replicaSetKind);
}

/** A controller of another kind with a ReplicaSet's behaviour (the replication manager). */
export function newReplicaSetLikeController(ctx: ControllerContext, kind: ReplicaSetKind): Controller & { idle(): Promise<void> } {
  return new ReplicaSetController(ctx, kind);
}
