// The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished): deletes a
// finished Job ttlSecondsAfterFinished after its Complete / Failed condition, with
// foreground propagation (its pods go first) and a uid precondition, re-reading the Job from
// the API first in case its TTL changed.
import type { Job } from '../../api/types.js';
import { isNotFound } from '../../api/errors.js';
import { resourceFor } from '../../client/api-client.js';
import { objectKey, splitKey, type Informer } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { finishedCondition } from '../job/job-conditions.js';

const jobsResource = resourceFor('jobs', 'batch');
/** --concurrent-ttl-after-finished-syncs default. */
const workers = 5;

/** The time left before a finished Job with a TTL expires (ms; ≤ 0 means now), or undefined when it has none. */
export function timeLeftMs(job: Job, now: number): number | undefined {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl == null || job.metadata.deletionTimestamp) return undefined;
  const finished = finishedCondition(job);
  if (!finished?.lastTransitionTime) return undefined;
  return Date.parse(finished.lastTransitionTime) + ttl * 1000 - now;
}

class TTLAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished-controller';
  private readonly queue: WorkQueue;
  private readonly jobs: Informer<Job>;

  constructor(private readonly ctx: ControllerContext) {
    this.jobs = ctx.informers.for<Job>(jobsResource);
    this.queue = new WorkQueue((key) => this.processJob(key), { name: this.name, workers, logger: ctx.logger });
  }

  start(): void {
    const enqueue = (job: Job) => {
      if (job.spec.ttlSecondsAfterFinished != null && finishedCondition(job)) this.queue.add(objectKey(job));
    };
    this.jobs.addHandlers({ add: enqueue, update: (_old, cur) => enqueue(cur) });
  }

  stop(): void {
    this.queue.stop();
  }

  private async processJob(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobs.getByName(namespace, name);
    if (!cached) return;
    const left = timeLeftMs(cached, this.ctx.now().getTime());
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left };
    let fresh: Job;
    try {
      fresh = await this.ctx.client.get<Job>(jobsResource, namespace, name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const freshLeft = timeLeftMs(fresh, this.ctx.now().getTime());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfterMs: freshLeft };
    try {
      await this.ctx.client.delete(jobsResource, namespace, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export function newTTLAfterFinishedController(ctx: ControllerContext): Controller {
  return new TTLAfterFinishedController(ctx);
}
