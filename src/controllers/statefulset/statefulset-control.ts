// The StatefulSet update algorithm (upstream pkg/controller/statefulset/stateful_set_control.go):
// find or make the current and update revisions, bring every ordinal in [start, end] to life at
// the right revision, delete ordinals outside it from the highest down, then roll pods not at the
// update revision from the highest ordinal down to the partition. OrderedReady ("monotonic")
// does one step at a time and waits for Running and Ready; Parallel does them at once in
// slow-start batches. A sync visits only the pods that exist and the
// missing ordinals due now (statefulset-ordinals.ts), never spec.replicas slots.
import type { ControllerRevision, Pod, StatefulSet, StatefulSetStatus } from '../../api/types.js';
import { isNotFound } from '../../api/errors.js';
import { labelSelectorAsRequirements } from '../../api/labels.js';
import type { ApiClient } from '../../client/api-client.js';
import type { Informer } from '../../client/informer.js';
import { equalRevision, findEqualRevisions, sortControllerRevisions, type ControllerHistory } from '../history/controller-history.js';
import { slowStartBatch, slowStartInitialBatchSize } from '../replicaset/slow-start.js';
import { ordinalsDue, statefulSetBurstReplicas } from './statefulset-ordinals.js';
import type { StatefulPodControl } from './stateful-pod-control.js';
import { applyRevision, newRevision, nextRevision } from './statefulset-revision.js';
import { completeRollingUpdate, inconsistentStatus, updateStatefulSetStatus } from './statefulset-status.js';
import {
  allowsBurst,
  byDescendingOrdinal,
  getEndOrdinal,
  getOrdinal,
  getPodRevision,
  getStartOrdinal,
  identityMatches,
  isCreated,
  isFailed,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  isUnavailable,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  storageMatches,
} from './statefulset-utils.js';

export interface StatefulSetControlDeps {
  client: ApiClient;
  setInformer: Informer<StatefulSet>;
  podControl: StatefulPodControl;
  history: ControllerHistory;
  now(): Date;
}

/** What a step returns: whether the (monotonic) pass must stop here. */
type Step = (i: number) => Promise<boolean>;

/**
 * runForAll: in order, stopping at the first step that blocks (monotonic); or all at once in
 * slow-start batches, stopping at the first batch with an error (burst).
 */
async function runForAll(count: number, step: Step, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < count; i++) if (await step(i)) return true;
    return false;
  }
  let next = 0;
  const { error } = await slowStartBatch(count, slowStartInitialBatchSize, async () => {
    await step(next++);
  });
  if (error) throw error;
  return false;
}

/** computeReplicaStatus over every list, into status (updateStatus). */
function updateStatus(status: StatefulSetStatus, set: StatefulSet, current: ControllerRevision, update: ControllerRevision, now: Date, ...lists: Pod[][]): void {
  const minReady = set.spec.minReadySeconds ?? 0;
  status.replicas = 0;
  status.readyReplicas = 0;
  status.availableReplicas = 0;
  status.currentReplicas = 0;
  status.updatedReplicas = 0;
  for (const pod of lists.flat()) {
    if (isCreated(pod)) status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (isRunningAndAvailable(pod, minReady, now)) status.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const revision = getPodRevision(pod);
      if (revision === current.metadata.name) status.currentReplicas++;
      if (revision === update.metadata.name) status.updatedReplicas++;
    }
  }
}

export class StatefulSetControl {
  constructor(private readonly deps: StatefulSetControlDeps) {}

  /** ListRevisions: the revisions the set's selector matches that it owns or nobody owns. */
  listRevisions(set: StatefulSet): ControllerRevision[] {
    return this.deps.history.list(set, labelSelectorAsRequirements(set.spec.selector));
  }

  /** UpdateStatefulSet: one pass of the algorithm, the status written, the history truncated. */
  async updateStatefulSet(cached: StatefulSet, pods: Pod[]): Promise<StatefulSetStatus | undefined> {
    const set = structuredClone(cached);
    const revisions = sortControllerRevisions(this.listRevisions(set));
    const { current, update, collisionCount } = await this.getStatefulSetRevisions(set, revisions);
    let status: StatefulSetStatus | undefined;
    let failure: unknown;
    try {
      status = await this.performUpdate(set, pods, current, update, collisionCount);
    } catch (e) {
      failure = e;
    }
    await this.truncateHistory(set, pods, revisions, current, update);
    if (failure) throw failure;
    return status;
  }

  /** performUpdate: the pass, then the status even when the pass failed part way. */
  private async performUpdate(set: StatefulSet, pods: Pod[], current: ControllerRevision, update: ControllerRevision, collisionCount: number): Promise<StatefulSetStatus> {
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation,
      currentRevision: current.metadata.name,
      updateRevision: update.metadata.name,
      collisionCount,
      replicas: 0,
      availableReplicas: 0,
    };
    let failure: unknown;
    try {
      await this.updatePods(set, current, update, pods, status);
    } catch (e) {
      failure = e;
    }
    try {
      await this.writeStatus(set, status);
    } catch (e) {
      failure ??= e;
    }
    if (failure) throw failure;
    return status;
  }

  /** updateStatefulSetStatus: completes a finished rolling update; writes only what changed. */
  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) return;
    try {
      await updateStatefulSetStatus(this.deps.client, this.deps.setInformer, set, status);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * getStatefulSetRevisions: the update revision is the set's template — the latest revision if
   * equal, an older equal one renumbered (a rollback), or a new one; the current revision is the
   * one status names, or the update revision for a new set.
   */
  private async getStatefulSetRevisions(
    set: StatefulSet,
    revisions: ControllerRevision[],
  ): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    let collisionCount = set.status?.collisionCount ?? 0;
    let update = newRevision(set, nextRevision(revisions), collisionCount);
    const equal = findEqualRevisions(revisions, update);
    const latest = revisions[revisions.length - 1];
    if (equal.length && equalRevision(latest, equal[equal.length - 1])) {
      update = latest;
    } else if (equal.length) {
      update = await this.deps.history.update(equal[equal.length - 1], update.revision);
    } else {
      const created = await this.deps.history.create(set, update, collisionCount);
      update = created.revision;
      collisionCount = created.collisionCount;
    }
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** truncateHistory: deletes the oldest revisions no pod and no status names, beyond revisionHistoryLimit. */
  private async truncateHistory(set: StatefulSet, pods: Pod[], revisions: ControllerRevision[], current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const live = new Set([current.metadata.name, update.metadata.name, ...pods.map(getPodRevision)]);
    const history = revisions.filter((r) => !live.has(r.metadata.name));
    const limit = set.spec.revisionHistoryLimit ?? 10;
    if (limit < 0 || history.length <= limit) return;
    for (const r of history.slice(0, history.length - limit)) {
      try {
        await this.deps.history.delete(r);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** The pass over the pods (upstream updateStatefulSet); status is filled in as it goes. */
  private async updatePods(set: StatefulSet, currentRevision: ControllerRevision, updateRevision: ControllerRevision, pods: Pod[], status: StatefulSetStatus): Promise<void> {
    const now = this.deps.now();
    const minReady = set.spec.minReadySeconds ?? 0;
    const currentSet = applyRevision(set, currentRevision);
    const updateSet = applyRevision(set, updateRevision);
    updateStatus(status, set, currentRevision, updateRevision, now, pods);

    const start = getStartOrdinal(set);
    const byOrdinal = new Map<number, Pod>();
    const condemned: Pod[] = [];
    for (const pod of pods) {
      if (podInOrdinalRange(pod, set)) byOrdinal.set(getOrdinal(pod), pod);
      else if (getOrdinal(pod) >= 0) condemned.push(pod);
    }
    const monotonic = !allowsBurst(set);
    const present = [...byOrdinal.keys()].sort((a, b) => a - b);
    const due = ordinalsDue(present, start, getEndOrdinal(set), monotonic ? 1 : statefulSetBurstReplicas);
    const live = due.ordinals.map(
      (ord) => byOrdinal.get(ord) ?? newVersionedStatefulSetPod(currentSet, updateSet, currentRevision.metadata.name!, updateRevision.metadata.name!, ord),
    );
    condemned.sort(byDescendingOrdinal);
    // The first unhealthy pod: among the replicas in order, else the lowest condemned one.
    const firstUnhealthy = live.find((p) => isUnavailable(p, minReady, now)) ?? [...condemned].reverse().find((p) => isUnavailable(p, minReady, now));
    const refresh = () => updateStatus(status, set, currentRevision, updateRevision, now, live, condemned);

    // A set being deleted only reports status.
    if (set.metadata.deletionTimestamp) return;
    try {
      if (await runForAll(live.length, (i) => this.processReplica(set, updateSet, monotonic, live, i, now), monotonic)) return;
      const fixClaims: Step = async (i) => {
        if (!this.deps.podControl.claimsMatchRetentionPolicy(updateSet, condemned[i])) await this.deps.podControl.updatePodClaimForRetentionPolicy(updateSet, condemned[i]);
        return false;
      };
      if (await runForAll(condemned.length, fixClaims, monotonic)) return;
      if (await runForAll(condemned.length, (i) => this.processCondemned(set, firstUnhealthy, monotonic, condemned, i, now), monotonic)) return;
    } finally {
      refresh();
    }
    // OnDelete: pods are updated when their user deletes them.
    if (set.spec.updateStrategy?.type === 'OnDelete') return;
    // Ordinals still to create come in the next syncs (their pods' events bring the set back);
    // the rolling update starts once every ordinal has a pod, as upstream's single pass would.
    if (due.missingLeft > 0) return;
    const updateMin = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    // The highest ordinal not at the update revision is deleted; it comes back updated.
    for (let target = live.length - 1; target >= updateMin; target--) {
      const pod = live[target];
      if (getPodRevision(pod) !== updateRevision.metadata.name && !isTerminating(pod)) {
        try {
          await this.deps.podControl.deleteStatefulPod(set, pod);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        status.currentReplicas = (status.currentReplicas ?? 0) - 1;
        return;
      }
      // Wait for an unavailable pod to come back before touching the next.
      if (isUnavailable(pod, minReady, now)) return;
    }
  }

  /** processReplica: replaces a finished pod, creates a missing one, waits on an unready one, repairs identity and storage. */
  private async processReplica(set: StatefulSet, updateSet: StatefulSet, monotonic: boolean, replicas: Pod[], i: number, now: Date): Promise<boolean> {
    const control = this.deps.podControl;
    const pod = replicas[i];
    // Failed and Succeeded pods are replaced: a stateful pod restarts whatever its exit code.
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!pod.metadata.deletionTimestamp) await control.deleteStatefulPod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      // A claim still owned by an earlier pod of this name is going away with it: wait.
      if (control.podClaimIsStale(set, pod)) return true;
      await control.createStatefulPod(set, pod);
      if (monotonic) return true;
    }
    // A pending pod gets any claim it is missing.
    if (isPending(pod)) await control.createPersistentVolumeClaims(set, pod);
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0, now))) return true;
    if (identityMatches(set, pod) && storageMatches(set, pod) && control.claimsMatchRetentionPolicy(updateSet, pod)) return false;
    await control.updateStatefulPod(updateSet, pod);
    return false;
  }

  /**
   * processCondemned: deletes a pod beyond the end ordinal. In order, only once every replica is
   * healthy — or when it is itself the first unhealthy pod.
   */
  private async processCondemned(set: StatefulSet, firstUnhealthy: Pod | undefined, monotonic: boolean, condemned: Pod[], i: number, now: Date): Promise<boolean> {
    const pod = condemned[i];
    if (isTerminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0, now))) return true;
    await this.deps.podControl.deleteStatefulPod(set, pod);
    return true;
  }
}


