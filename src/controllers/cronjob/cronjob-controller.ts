// The CronJob controller (upstream pkg/controller/cronjob/cronjob_controllerv2.go): at each
// scheduled time it creates a Job from spec.jobTemplate named <cronjob>-<minutes since the
// epoch> (the name is the lock against running a time twice), under the concurrency policy
// (Allow, Forbid, Replace), within startingDeadlineSeconds, unless suspended; it tracks
// status.active, lastScheduleTime and lastSuccessfulTime from its Jobs and keeps only the
// newest successful / failed Jobs its history limits allow. The clock is the controller
// context's, so tests drive the schedule.
import type { CronJob, Job, ObjectReference } from '../../api/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.js';
import { resourceFor } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { objectKey, splitKey, type Informer } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { controllerOf, newControllerRef } from '../replicaset/controller-ref-manager.js';
import { finishedCondition } from '../job/job-conditions.js';
import { CronParseError } from '../../util/cron/cron-schedule.js';
import { isKnownTimeZone } from '../../util/cron/zoned-time.js';
import { jobNameFor, mostRecentScheduleTime, nextScheduleDelayMs, parseCronJobSchedule, scheduledTimestamp } from './cronjob-schedule.js';

/** CronJobScheduledTimestampAnnotation */
export const cronJobScheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const workers = 5;

const jobsResource = resourceFor('jobs', 'batch');
const cronJobsResource = resourceFor('cronjobs', 'batch');

function jobRef(job: Job): ObjectReference {
  return { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion };
}

/** getJobFromTemplate2 */
export function jobFromTemplate(cj: CronJob, scheduled: Date): Job {
  const template = cj.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduled),
      namespace: cj.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [cronJobScheduledTimestampAnnotation]: scheduledTimestamp(scheduled, cj.spec.timeZone) },
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(template.spec),
  };
}

class CronJobController implements Controller {
  readonly name = 'cronjob-controller';
  private readonly queue: WorkQueue;
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.cronJobs = ctx.informers.for<CronJob>(cronJobsResource);
    this.jobs = ctx.informers.for<Job>(jobsResource);
    this.recorder = ctx.recorder(this.name);
    this.queue = new WorkQueue((key) => this.sync(key), { name: this.name, workers, logger: ctx.logger });
  }

  start(): void {
    this.cronJobs.addHandlers({
      add: (cj) => this.queue.add(objectKey(cj)),
      update: (old, cur) => {
        if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) this.queue.add(objectKey(cur));
      },
    });
    const onJob = (job: Job) => {
      const ref = controllerOf(job.metadata);
      if (ref?.kind !== 'CronJob') return;
      const cj = this.cronJobs.getByName(job.metadata.namespace, ref.name);
      if (cj && cj.metadata.uid === ref.uid) this.queue.add(objectKey(cj));
    };
    this.jobs.addHandlers({ add: onJob, update: (_o, cur) => onJob(cur), delete: onJob });
  }

  stop(): void {
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async sync(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.cronJobs.getByName(namespace, name);
    if (!cached) return;
    const cj = structuredClone(cached);
    const jobs = this.jobs.list(namespace).filter((j) => controllerOf(j.metadata)?.uid === cj.metadata.uid);
    const { requeueAfterMs, updateStatus } = await this.syncCronJob(cj, jobs);
    const cleaned = cj.metadata.deletionTimestamp ? false : await this.cleanupFinishedJobs(cj, jobs);
    if (updateStatus || cleaned) {
      try {
        await this.writeStatus(cj);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }
    return requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(requeueAfterMs, 1) } : undefined;
  }

  /**
   * The status is this controller's alone: when a spec or metadata write raced it, the status
   * goes onto the fresh object rather than being lost (a lost status.active would make the
   * next sync try the same run again and find its Job already there).
   */
  private async writeStatus(cj: CronJob): Promise<void> {
    try {
      await this.ctx.client.updateStatus<CronJob>(cronJobsResource, cj);
    } catch (e) {
      if (!isConflict(e)) throw e;
      const fresh = await this.ctx.client.get<CronJob>(cronJobsResource, cj.metadata.namespace, cj.metadata.name!);
      if (fresh.metadata.uid !== cj.metadata.uid) return;
      await this.ctx.client.updateStatus<CronJob>(cronJobsResource, { ...fresh, status: cj.status });
    }
  }

  private removeActive(cj: CronJob, uid: string | undefined): void {
    cj.status ??= {};
    cj.status.active = (cj.status.active ?? []).filter((r) => r.uid !== uid);
    if (!cj.status.active.length) delete cj.status.active;
  }

  /** syncCronJob: reconcile status with the Jobs, then start the due run if any. Mutates cj. */
  private async syncCronJob(cj: CronJob, jobs: Job[]): Promise<{ requeueAfterMs?: number; updateStatus: boolean }> {
    const now = this.ctx.now();
    let updateStatus = false;
    cj.status ??= {};
    const children = new Set<string>();
    for (const j of jobs) {
      children.add(j.metadata.uid!);
      const found = !!cj.status.active?.some((r) => r.uid === j.metadata.uid);
      const finished = finishedCondition(j);
      if (!found && !finished) {
        // The cache may not show our own status write yet: the API's copy decides.
        const fresh = await this.ctx.client.get<CronJob>(cronJobsResource, cj.metadata.namespace, cj.metadata.name!);
        if (fresh.status?.active?.some((r) => r.uid === j.metadata.uid)) {
          Object.assign(cj, { metadata: fresh.metadata, spec: fresh.spec, status: fresh.status });
          continue;
        }
        this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (found && finished) {
        this.removeActive(cj, j.metadata.uid);
        this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${finished.type}`);
        updateStatus = true;
      }
      if (finished?.type === 'Complete' && j.status?.completionTime) {
        const last = cj.status.lastSuccessfulTime;
        if (!last || Date.parse(j.status.completionTime) > Date.parse(last)) {
          cj.status.lastSuccessfulTime = j.status.completionTime;
          updateStatus = true;
        }
      }
    }
    for (const ref of [...(cj.status.active ?? [])]) {
      if (children.has(ref.uid!)) continue;
      // The cache may lag behind a Job just created: ask the API before giving it up.
      try {
        await this.ctx.client.get(jobsResource, ref.namespace, ref.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        this.removeActive(cj, ref.uid);
        updateStatus = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return { updateStatus };
    if (cj.spec.timeZone && !isKnownTimeZone(cj.spec.timeZone)) {
      this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(cj.spec.timeZone)}: unknown time zone ${cj.spec.timeZone}`);
      return { updateStatus };
    }
    if (cj.spec.suspend) return { updateStatus };
    if (cj.spec.schedule.includes('TZ')) {
      this.recorder.event(
        cj,
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    }
    let sched;
    try {
      sched = parseCronJobSchedule(cj);
    } catch (e) {
      if (!(e instanceof CronParseError)) throw e;
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${e.message}`);
      return { updateStatus };
    }
    let recent;
    try {
      recent = mostRecentScheduleTime(cj, now, sched, true);
    } catch (e) {
      this.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${(e as Error).message}`);
      return { updateStatus };
    }
    const requeue = () => nextScheduleDelayMs(cj, now, sched);
    const scheduled = recent.mostRecent;
    if (!scheduled || scheduled > now) return { requeueAfterMs: requeue(), updateStatus };
    if (recent.missed === 'many') {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline != null && scheduled.getTime() + deadline * 1000 < now.getTime()) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return { requeueAfterMs: requeue(), updateStatus };
    }
    const name = jobNameFor(cj, scheduled);
    const alreadyRun = cj.status.active?.some((r) => r.name === name && r.namespace === cj.metadata.namespace) || (cj.status.lastScheduleTime && Date.parse(cj.status.lastScheduleTime) === scheduled.getTime());
    if (alreadyRun) return { requeueAfterMs: requeue(), updateStatus };
    if (cj.spec.concurrencyPolicy === 'Forbid' && cj.status.active?.length) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return { requeueAfterMs: requeue(), updateStatus };
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...(cj.status.active ?? [])]) {
        let job: Job;
        try {
          job = await this.ctx.client.get<Job>(jobsResource, ref.namespace, ref.name!);
        } catch (e) {
          this.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${(e as Error).message}`);
          throw e;
        }
        if (!(await this.deleteJob(cj, job))) throw new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`);
        updateStatus = true;
      }
    }
    let created: Job;
    try {
      created = await this.ctx.client.create<Job>(jobsResource, cj.metadata.namespace, jobFromTemplate(cj, scheduled));
    } catch (e) {
      if (isAlreadyExists(e)) throw e;
      this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
      throw e;
    }
    this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    cj.status.active = [...(cj.status.active ?? []), jobRef(created)];
    cj.status.lastScheduleTime = scheduled.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { requeueAfterMs: requeue(), updateStatus: true };
  }

  /** deleteJob: background deletion, then the reference leaves status.active. */
  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.ctx.client.delete(jobsResource, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background' });
    } catch (e) {
      if (!isNotFound(e)) {
        this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(e as Error).message}`);
        return false;
      }
    }
    this.removeActive(cj, job.metadata.uid);
    this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  /** cleanupFinishedJobs: the oldest finished Jobs beyond the history limits go. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<boolean> {
    const byStart = (a: Job, b: Job) => Date.parse(a.status?.startTime ?? a.metadata.creationTimestamp ?? '') - Date.parse(b.status?.startTime ?? b.metadata.creationTimestamp ?? '');
    let changed = false;
    for (const [type, limit] of [
      ['Complete', cj.spec.successfulJobsHistoryLimit],
      ['Failed', cj.spec.failedJobsHistoryLimit],
    ] as const) {
      if (limit == null) continue;
      const finished = jobs.filter((j) => finishedCondition(j)?.type === type && !j.metadata.deletionTimestamp).sort(byStart);
      for (const job of finished.slice(0, Math.max(0, finished.length - limit))) if (await this.deleteJob(cj, job)) changed = true;
    }
    return changed;
  }
}

/** Go's time.RFC1123Z of a UTC time: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

export function newCronJobController(ctx: ControllerContext): Controller & { idle(): Promise<void> } {
  return new CronJobController(ctx);
}
