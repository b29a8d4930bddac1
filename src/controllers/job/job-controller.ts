// The Job controller (upstream pkg/controller/job/job_controller.go): runs a Job's pods to
// completion. Pods carry the batch.kubernetes.io/job-tracking finalizer until the controller
// has counted them (through status.uncountedTerminatedPods, so a crash never counts twice);
// failures back off exponentially and fail the Job past backoffLimit, activeDeadlineSeconds or
// a podFailurePolicy FailJob rule; Indexed Jobs run one pod per completion index; suspend
// deletes the active pods. The outcome is first FailureTarget / SuccessCriteriaMet, then
// Failed / Complete once no pod is left running.
import type { Job, JobStatus, Pod } from '../../api/types.js';
import { isNotFound } from '../../api/errors.js';
import { rfc3339 } from '../../api/time.js';
import { formatIndexes, parseIndexes } from '../../api/job-indexes.js';
import { resourceFor } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { objectKey, splitKey, type Informer } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { ControllerExpectations } from '../replicaset/controller-expectations.js';
import { controllerOf } from '../replicaset/controller-ref-manager.js';
import { isPodReady } from '../replicaset/pod-conditions.js';
import { maxBatchSize, settleInBatches, slowStartBatch, slowStartInitialBatchSize } from '../replicaset/slow-start.js';
import { nextBackoffRecord, remainingBackoffMs, type BackoffRecord, type FinishedPod } from './job-backoff.js';
import {
  conditionTrue,
  finishedCondition,
  messageBackoffLimitExceeded,
  messageCompletionsReached,
  messageDeadlineExceeded,
  newJobCondition,
  reasonBackoffLimitExceeded,
  reasonCompletionsReached,
  reasonDeadlineExceeded,
  reasonPodFailurePolicy,
  setJobCondition,
} from './job-conditions.js';
import {
  hasTrackingFinalizer,
  isPodActive,
  isPodFailed,
  isPodTerminating,
  jobTrackingFinalizer,
  onlyReplaceFailedPods,
  podFinishTime,
  podFromJobTemplate,
  restartsOfActivePods,
} from './job-pods.js';
import { completionIndexOf, firstPendingIndexes } from './indexed-job.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import {
  hasBackoffLimitPerIndex,
  indexBackoffRemainingMs,
  indexFailureCountAnnotation,
  indexFailures,
  isIndexFailed,
  messageFailedIndexes,
  messageMaxFailedIndexesExceeded,
  reasonFailedIndexes,
  reasonMaxFailedIndexesExceeded,
  type IndexFailures,
} from './backoff-limit-per-index.js';
import { matchSuccessPolicy, reasonSuccessPolicy } from './success-policy.js';

/** --concurrent-job-syncs default. */
const workers = 5;
/** MaxPodCreateDeletePerSync */
const maxPodCreateDeletePerSync = 500;
/** Jobs with this managedBy (or none) are this controller's. */
export const jobControllerName = 'kubernetes.io/job-controller';

const podsResource = resourceFor('pods');
const jobsResource = resourceFor('jobs', 'batch');

/** The patch that removes the tracking finalizer, with the pod's uid as a precondition. */
function removeFinalizerPatch(pod: Pod): unknown {
  return { metadata: { '$deleteFromPrimitiveList/finalizers': [jobTrackingFinalizer], uid: pod.metadata.uid } };
}

/** The pods of one sync, sorted into what the controller does with them. */
interface PodCensus {
  active: Pod[];
  terminating: Pod[];
  /** Finished (or given up) pods still holding the finalizer, whose uids go to uncounted. */
  newlySucceeded: Pod[];
  newlyFailed: Pod[];
  /** Finalizers to drop without counting (Ignore rule, duplicates, pods removed by the controller). */
  uncountable: Pod[];
  failJobMessage?: string;
}

class JobController implements Controller {
  readonly name = 'job-controller';
  private readonly queue: WorkQueue;
  private readonly orphanQueue: WorkQueue;
  private readonly jobInformer: Informer<Job>;
  private readonly podInformer: Informer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly expectations: ControllerExpectations;
  /** Pod uids whose finalizer this controller removed and the cache may not show yet, by Job key. */
  private readonly finalizersRemoved = new Map<string, Set<string>>();
  private readonly backoff = new Map<string, BackoffRecord>();

  constructor(private readonly ctx: ControllerContext) {
    this.jobInformer = ctx.informers.for<Job>(jobsResource);
    this.podInformer = ctx.informers.for<Pod>(podsResource);
    this.recorder = ctx.recorder(this.name);
    this.expectations = new ControllerExpectations(() => ctx.now().getTime());
    this.queue = new WorkQueue((key) => this.syncJob(key), { name: this.name, workers, logger: ctx.logger });
    // One orphan worker per sync worker, as upstream runs them.
    this.orphanQueue = new WorkQueue((key) => this.syncOrphanPod(key), { name: `${this.name}-orphan-pods`, workers, logger: ctx.logger });
  }

  start(): void {
    this.jobInformer.addHandlers({
      add: (job) => this.queue.add(objectKey(job)),
      update: (old, cur) => {
        if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) this.queue.add(objectKey(cur));
      },
      delete: (job) => {
        const key = objectKey(job);
        this.expectations.delete(key);
        this.finalizersRemoved.delete(key);
        this.backoff.delete(key);
        for (const pod of this.podInformer.ownedBy(job.metadata.uid!)) if (hasTrackingFinalizer(pod)) this.orphanQueue.add(objectKey(pod));
      },
    });
    this.podInformer.addHandlers({
      add: (pod) => this.onPod(pod, 'add'),
      update: (old, cur) => {
        if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) this.onPod(cur, 'update');
      },
      delete: (pod) => this.onPod(pod, 'delete'),
    });
  }

  stop(): void {
    this.queue.stop();
    this.orphanQueue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** The Job a controller reference names, if it is still that one. */
  private ownerJob(pod: Pod): Job | undefined {
    const ref = controllerOf(pod.metadata);
    if (!ref || ref.kind !== 'Job' || !ref.apiVersion.startsWith('batch/')) return undefined;
    const job = this.jobInformer.getByName(pod.metadata.namespace, ref.name);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  private onPod(pod: Pod, event: 'add' | 'update' | 'delete'): void {
    const job = this.ownerJob(pod);
    if (!job) {
      if (event !== 'delete' && hasTrackingFinalizer(pod) && controllerOf(pod.metadata)?.kind === 'Job') this.orphanQueue.add(objectKey(pod));
      return;
    }
    const key = objectKey(job);
    if (event === 'add' && !pod.metadata.deletionTimestamp) this.expectations.creationObserved(key);
    if (event === 'delete' || pod.metadata.deletionTimestamp) this.expectations.deletionObserved(key, objectKey(pod));
    if (event === 'delete' || !hasTrackingFinalizer(pod)) {
      this.finalizersRemoved.get(key)?.delete(pod.metadata.uid!);
    }
    this.queue.add(key);
  }

  /** A pod whose Job is gone keeps no tracking finalizer (upstream's orphan pod cleanup). */
  private async syncOrphanPod(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const pod = this.podInformer.getByName(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerOf(pod.metadata);
    if (ref && this.ownerJob(pod)) return;
    if (ref) {
      // The cache may lag: ask the API whether the Job is really gone.
      try {
        const job = await this.ctx.client.get<Job>(jobsResource, namespace, ref.name);
        if (job.metadata.uid === ref.uid && !finishedCondition(job)) return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    await this.removeFinalizer(pod);
  }

  private async removeFinalizer(pod: Pod): Promise<void> {
    try {
      await this.ctx.client.patch(podsResource, pod.metadata.namespace, pod.metadata.name!, 'strategic', removeFinalizerPatch(pod));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private podsOf(job: Job): Pod[] {
    return this.podInformer.ownedBy(job.metadata.uid!).filter((p) => controllerOf(p.metadata)?.uid === job.metadata.uid);
  }

  /** Sorts the pods; failures are judged by the pod failure policy, successes of Indexed Jobs by index. */
  private census(job: Job, pods: Pod[], key: string, completed: Set<number> | undefined, failedIndexes: Set<number> | undefined, failureTarget: boolean): PodCensus {
    const uncounted = new Set([...(job.status?.uncountedTerminatedPods?.succeeded ?? []), ...(job.status?.uncountedTerminatedPods?.failed ?? [])]);
    const removed = this.finalizersRemoved.get(key);
    const completions = job.spec.completions ?? 0;
    const c: PodCensus = { active: [], terminating: [], newlySucceeded: [], newlyFailed: [], uncountable: [] };
    for (const pod of pods) {
      if (isPodActive(pod)) c.active.push(pod);
      else if (isPodTerminating(pod)) c.terminating.push(pod);
      const uid = pod.metadata.uid!;
      if (!hasTrackingFinalizer(pod) || removed?.has(uid) || uncounted.has(uid)) continue;
      if (pod.status?.phase === 'Succeeded') {
        if (completed) {
          const ix = completionIndexOf(pod, completions);
          if (ix === undefined || completed.has(ix)) {
            c.uncountable.push(pod);
            continue;
          }
          completed.add(ix);
        }
        c.newlySucceeded.push(pod);
      } else if (isPodFailed(pod, job) || (failureTarget && pod.metadata.deletionTimestamp)) {
        const match = job.spec.podFailurePolicy && pod.status?.phase === 'Failed' ? matchPodFailurePolicy(job, pod) : undefined;
        if (match?.action === 'Ignore') {
          c.uncountable.push(pod);
          continue;
        }
        if (match?.action === 'FailJob') c.failJobMessage ??= match.message;
        if (failedIndexes) {
          const ix = completionIndexOf(pod, completions);
          if (ix !== undefined && isIndexFailed(job, pod, match?.action === 'FailIndex')) failedIndexes.add(ix);
        }
        c.newlyFailed.push(pod);
      }
    }
    return c;
  }

  async syncJob(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobInformer.getByName(namespace, name);
    if (!cached) return;
    let job = structuredClone(cached);
    if (job.spec.managedBy && job.spec.managedBy !== jobControllerName) return;
    const pods = this.podsOf(job);
    if (finishedCondition(job)) {
      // Every pod of a finished Job has been counted: only finalizers are left to drop.
      await this.forPods(pods.filter(hasTrackingFinalizer), (p) => this.removeFinalizer(p));
      return;
    }
    const now = this.ctx.now();
    const nowText = rfc3339(now);
    const indexed = job.spec.completionMode === 'Indexed';
    const completions = job.spec.completions;
    const completed = indexed ? parseIndexes(job.status?.completedIndexes, completions ?? 0) : undefined;
    const failedIndexes = hasBackoffLimitPerIndex(job) ? parseIndexes(job.status?.failedIndexes, completions ?? 0) : undefined;
    const census = this.census(job, pods, key, completed, failedIndexes, !!conditionTrue(job, 'FailureTarget'));

    // 1. Record newly finished pods as uncounted, drop their finalizers, then count them.
    const newlyFinished: FinishedPod[] = [
      ...census.newlySucceeded.map((p) => ({ failed: false, finishTime: podFinishTime(p, now.getTime()) })),
      ...census.newlyFailed.map((p) => ({ failed: true, finishTime: podFinishTime(p, now.getTime()) })),
    ];
    this.backoff.set(key, nextBackoffRecord(this.backoff.get(key) ?? { failuresAfterLastSuccess: 0 }, newlyFinished));
    const uncounted = {
      succeeded: [...(job.status?.uncountedTerminatedPods?.succeeded ?? []), ...census.newlySucceeded.map((p) => p.metadata.uid!)],
      failed: [...(job.status?.uncountedTerminatedPods?.failed ?? []), ...census.newlyFailed.map((p) => p.metadata.uid!)],
    };
    if (newlyFinished.length) {
      const status: JobStatus = { ...(job.status ?? {}), uncountedTerminatedPods: uncounted };
      if (completed) status.completedIndexes = formatIndexes(completed);
      if (failedIndexes) status.failedIndexes = formatIndexes(failedIndexes);
      const written = await this.writeStatus(job, status);
      if (!written) return;
      job = written;
    }
    const toRelease = [...census.uncountable, ...pods.filter((p) => hasTrackingFinalizer(p) && (uncounted.succeeded.includes(p.metadata.uid!) || uncounted.failed.includes(p.metadata.uid!)))];
    if (toRelease.length) {
      const removed = this.finalizersRemoved.get(key) ?? new Set<string>();
      this.finalizersRemoved.set(key, removed);
      await this.forPods(toRelease, async (p) => {
        await this.removeFinalizer(p);
        removed.add(p.metadata.uid!);
      });
    }
    const status: JobStatus = structuredClone(job.status ?? {});
    status.succeeded = (status.succeeded ?? 0) + uncounted.succeeded.length;
    status.failed = (status.failed ?? 0) + uncounted.failed.length;
    status.uncountedTerminatedPods = {};
    const conditions = [...(status.conditions ?? [])];
    let requeueAfterMs: number | undefined;

    // 2. Suspension.
    const suspended = job.spec.suspend === true;
    const outcomeKnown = !!conditionTrue(job, 'FailureTarget') || !!conditionTrue(job, 'SuccessCriteriaMet');
    if (suspended && !outcomeKnown) {
      if (setJobCondition(conditions, newJobCondition('Suspended', 'True', 'JobSuspended', 'Job suspended', nowText))) {
        this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
        delete status.startTime;
      }
    } else if (!suspended && conditionTrue(job, 'Suspended')) {
      setJobCondition(conditions, newJobCondition('Suspended', 'False', 'JobResumed', 'Job resumed', nowText));
      this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      status.startTime = nowText;
    }
    if (!suspended && !status.startTime) status.startTime = nowText;

    // 3. The outcome: failure first (pod failure policy, backoff limit, deadline), then success.
    const succeeded = indexed ? completed!.size : status.succeeded;
    const active = census.active.length;
    if (!outcomeKnown) {
      const backoffLimit = job.spec.backoffLimit ?? 6;
      const restarts = job.spec.template.spec.restartPolicy === 'OnFailure' ? restartsOfActivePods(census.active) : 0;
      const pastRestartLimit = job.spec.template.spec.restartPolicy === 'OnFailure' && (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit);
      const deadline = job.spec.activeDeadlineSeconds;
      const started = status.startTime ? Date.parse(status.startTime) : undefined;
      const pastDeadline = deadline != null && started !== undefined && !suspended && now.getTime() - started >= deadline * 1000;
      let failure: [string, string] | undefined;
      if (census.failJobMessage) failure = [reasonPodFailurePolicy, census.failJobMessage];
      else if (failedIndexes && job.spec.maxFailedIndexes != null && failedIndexes.size > job.spec.maxFailedIndexes) {
        failure = [reasonMaxFailedIndexesExceeded, messageMaxFailedIndexesExceeded];
      } else if (failedIndexes && failedIndexes.size > 0 && failedIndexes.size + succeeded >= (completions ?? 0)) failure = [reasonFailedIndexes, messageFailedIndexes];
      else if (status.failed > backoffLimit || pastRestartLimit) failure = [reasonBackoffLimitExceeded, messageBackoffLimitExceeded];
      else if (pastDeadline) failure = [reasonDeadlineExceeded, messageDeadlineExceeded];
      if (failure) setJobCondition(conditions, newJobCondition('FailureTarget', 'True', failure[0], failure[1], nowText));
      else {
        const complete = completions == null ? status.succeeded > 0 && active === 0 : succeeded >= completions;
        const policyMatch = completed ? matchSuccessPolicy(job.spec.successPolicy, completions ?? 0, completed) : undefined;
        if (policyMatch) setJobCondition(conditions, newJobCondition('SuccessCriteriaMet', 'True', reasonSuccessPolicy, policyMatch, nowText));
        else if (complete) setJobCondition(conditions, newJobCondition('SuccessCriteriaMet', 'True', reasonCompletionsReached, messageCompletionsReached, nowText));
        else if (deadline != null && started !== undefined && !suspended) requeueAfterMs = started + deadline * 1000 - now.getTime();
      }
    }
    const target = conditions.find((c) => (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') && c.status === 'True');

    // 4. Pods: all go once the outcome is known or while suspended; otherwise as many as parallelism wants.
    let finishing = false;
    if (target || suspended) {
      // At most a burst a sync: the deletions' events bring the Job back for the rest.
      await this.deletePods(job, census.active.slice(0, maxPodCreateDeletePerSync), !target);
      if (target) {
        // The terminal condition waits until no pod is left running or terminating.
        finishing = census.active.length === 0 && census.terminating.length === 0;
      }
    } else {
      const wait = await this.manageJob(job, key, census, succeeded, completed, failedIndexes, pods);
      if (wait > 0) requeueAfterMs = requeueAfterMs === undefined ? wait : Math.min(requeueAfterMs, wait);
    }

    if (finishing && target) {
      const type = target.type === 'FailureTarget' ? 'Failed' : 'Complete';
      setJobCondition(conditions, newJobCondition(type, 'True', target.reason ?? '', target.message ?? '', nowText));
      if (type === 'Complete') status.completionTime = nowText;
    }
    status.active = finishing ? 0 : census.active.length;
    status.ready = census.active.filter(isPodReady).length;
    status.terminating = census.terminating.length;
    if (conditions.length) status.conditions = conditions;
    if (completed) status.completedIndexes = formatIndexes(completed);
    if (failedIndexes) status.failedIndexes = formatIndexes(failedIndexes);
    const written = await this.writeStatus(job, status);
    if (written && finishing && target) {
      const failed = target.type === 'FailureTarget';
      if (failed) this.recorder.event(job, 'Warning', target.reason ?? '', target.message ?? '');
      else this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    }
    return requeueAfterMs !== undefined && requeueAfterMs > 0 ? { requeueAfterMs: requeueAfterMs + 100 } : undefined;
  }

  /** Writes status when it changed (omitempty counters as the API serialises them); undefined if the Job is gone. */
  private async writeStatus(job: Job, status: JobStatus): Promise<Job | undefined> {
    const out: JobStatus = {};
    for (const [k, v] of Object.entries(status) as [keyof JobStatus, unknown][]) {
      if (v === undefined) continue;
      if ((k === 'active' || k === 'succeeded' || k === 'failed') && v === 0) continue;
      if (k === 'completedIndexes' && v === '') continue;
      (out as Record<string, unknown>)[k] = v;
    }
    if (JSON.stringify(sortKeys(out)) === JSON.stringify(sortKeys(job.status ?? {}))) return job;
    try {
      return await this.ctx.client.updateStatus<Job>(jobsResource, { ...job, status: out });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * manageJob: creates pods up to what parallelism and the remaining completions want (after
   * the failure back-off), deletes extra ones. Returns how long to wait for the back-off.
   */
  private async manageJob(
    job: Job,
    key: string,
    c: PodCensus,
    succeeded: number,
    completed: Set<number> | undefined,
    failedIndexes: Set<number> | undefined,
    pods: Pod[],
  ): Promise<number> {
    if (!this.expectations.satisfied(key)) return 0;
    const parallelism = job.spec.parallelism ?? 1;
    const completions = job.spec.completions;
    let active = c.active.length;
    let wantActive: number;
    if (completions == null) wantActive = succeeded > 0 ? active : parallelism;
    else wantActive = Math.max(0, Math.min(completions - succeeded - (failedIndexes?.size ?? 0), parallelism));

    let extra: Pod[] = [];
    const byIndex = new Map<number, Pod>();
    if (completed) {
      // Pods without a valid index, for a completed index, or duplicating another go first.
      for (const pod of c.active) {
        const ix = completionIndexOf(pod, completions ?? 0);
        if (ix === undefined || completed.has(ix) || failedIndexes?.has(ix) || byIndex.has(ix)) extra.push(pod);
        else byIndex.set(ix, pod);
      }
      active = byIndex.size;
    }
    if (active > wantActive) {
      const keep = new Set(extra.map((p) => p.metadata.uid));
      const candidates = (completed ? [...byIndex.values()] : c.active).filter((p) => !keep.has(p.metadata.uid));
      extra = [...extra, ...podsForRemoval(candidates, active - wantActive)];
    }
    if (extra.length) {
      await this.deletePods(job, extra.slice(0, maxPodCreateDeletePerSync), true);
      return 0;
    }
    let missing = wantActive - active;
    if (onlyReplaceFailedPods(job)) missing -= c.terminating.length;
    if (missing <= 0) return 0;
    missing = Math.min(missing, maxPodCreateDeletePerSync);
    const now = this.ctx.now().getTime();
    let wait = 0;
    let indexes: number[] | undefined;
    let failures: Map<number, IndexFailures> | undefined;
    if (failedIndexes) {
      // Each index backs off on its own failures; indexes still waiting are skipped this time.
      failures = indexFailures(job, pods, now);
      const taken = new Set([...completed!, ...failedIndexes, ...byIndex.keys()]);
      // Only indexes with failed pods can be backing off: look at those, not at every completion
      // (up to 2^31-1), then take the lowest pending indexes past them.
      for (const [ix, f] of failures) {
        if (taken.has(ix) || ix >= (completions ?? 0)) continue;
        const left = indexBackoffRemainingMs(f, now);
        if (left <= 0) continue;
        wait = wait ? Math.min(wait, left) : left;
        taken.add(ix);
      }
      indexes = firstPendingIndexes(taken, missing, completions ?? 0);
    } else {
      wait = remainingBackoffMs(this.backoff.get(key) ?? { failuresAfterLastSuccess: 0 }, now);
      if (wait > 0) return wait;
      if (completed) indexes = firstPendingIndexes(new Set([...completed, ...byIndex.keys()]), missing, completions ?? 0);
    }
    const count = indexes ? indexes.length : missing;
    if (!count) return wait;
    this.expectations.expectCreations(key, count);
    let next = 0;
    const { successes, error } = await slowStartBatch(count, slowStartInitialBatchSize, () => {
      const ix = indexes?.[next++];
      return this.createPod(job, ix, ix === undefined ? undefined : failures?.get(ix)?.count);
    });
    for (let i = 0; i < count - successes; i++) this.expectations.creationObserved(key);
    if (error) throw error;
    return wait;
  }

  private async createPod(job: Job, index: number | undefined, indexFailureCount: number | undefined): Promise<void> {
    const pod = podFromJobTemplate(job, index);
    if (index !== undefined && hasBackoffLimitPerIndex(job)) {
      pod.metadata.annotations = { ...pod.metadata.annotations, [indexFailureCountAnnotation]: String(indexFailureCount ?? 0) };
    }
    try {
      const created = await this.ctx.client.create<Pod>(podsResource, job.metadata.namespace, pod);
      this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (e) {
      this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  /**
   * Runs fn over pods in batches of maxBatchSize, the event loop (which the API
   * server shares) turning between batches; the first failing batch ends it with its error.
   */
  private async forPods(pods: Pod[], fn: (pod: Pod) => Promise<void>): Promise<void> {
    let next = 0;
    const { error } = await slowStartBatch(pods.length, maxBatchSize, () => fn(pods[next++]));
    if (error) throw error;
  }

  /**
   * Deletes pods. Pods removed for suspension or scale-down lose their finalizer first, so they
   * are never counted (upstream deleteJobPods); pods of a Job whose outcome is known keep it
   * and are counted by the next sync (deleteActivePods).
   */
  private async deletePods(job: Job, pods: Pod[], notFailures: boolean): Promise<void> {
    if (!pods.length) return;
    const key = objectKey(job);
    this.expectations.expectDeletions(key, pods.map(objectKey));
    const results = await settleInBatches(pods, async (pod) => {
      try {
        if (notFailures && hasTrackingFinalizer(pod)) {
          await this.removeFinalizer(pod);
          const removed = this.finalizersRemoved.get(key) ?? new Set<string>();
          this.finalizersRemoved.set(key, removed);
          removed.add(pod.metadata.uid!);
        }
        await this.ctx.client.delete(podsResource, pod.metadata.namespace, pod.metadata.name!);
        this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (e) {
        this.expectations.deletionObserved(key, objectKey(pod));
        if (!isNotFound(e)) {
          this.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
          throw e;
        }
      }
    });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** activePodsForRemoval: unscheduled, then not ready, then the newest go first. */
function podsForRemoval(pods: Pod[], n: number): Pod[] {
  const rank = (p: Pod) => (!p.spec.nodeName ? 0 : !isPodReady(p) ? 1 : 2);
  return [...pods]
    .sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
    .slice(0, n);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export function newJobController(ctx: ControllerContext): Controller & { idle(): Promise<void> } {
  return new JobController(ctx);
}
