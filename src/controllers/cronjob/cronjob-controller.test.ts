// The CronJob controller with an injected clock: a due run creates its Job, status follows
// the Job, history limits prune finished Jobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { startControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { newCronJobController } from './cronjob-controller.js';

const cronJobsResource = resourceFor('cronjobs', 'batch');
const jobsResource = resourceFor('jobs', 'batch');

function cronJob(name: string, over: Partial<CronJob['spec']> = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { metadata: { labels: { app: name } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...over,
    },
  };
}

/** A clock the test moves: it starts at the real time so creationTimestamps line up. */
function testClock() {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => (offset += ms) };
}

async function complete(client: import('../../client/api-client.js').ApiClient, job: Job, type: 'Complete' | 'Failed'): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions =
    type === 'Complete'
      ? [{ type: 'SuccessCriteriaMet' as const, status: 'True' as const }, { type: 'Complete' as const, status: 'True' as const }]
      : [{ type: 'FailureTarget' as const, status: 'True' as const }, { type: 'Failed' as const, status: 'True' as const }];
  await client.updateStatus(jobsResource, { ...job, status: { startTime: now, ...(type === 'Complete' ? { completionTime: now, succeeded: 1 } : { failed: 1 }), conditions } });
}

test('a due run creates <cronjob>-<minutes> with the scheduled-timestamp annotation; completion clears status.active', async () => {
  const clock = testClock();
  const h = await startControllerHarness({ controllers: [newCronJobController], now: clock.now });
  try {
    const cj = await h.client.create<CronJob>(cronJobsResource, 'default', cronJob('hello'));
    // Nothing is due before the next minute.
    clock.advance(61_000);
    await h.client.patch(cronJobsResource, 'default', 'hello', 'merge', { metadata: { annotations: { poke: '1' } } });
    const job = await waitFor(async () => (await h.client.list<Job>(jobsResource, 'default')).items[0], 10_000, 'a Job');
    const scheduled = Math.floor(clock.now().getTime() / 60_000) * 60_000;
    assert.equal(job.metadata.name, `hello-${scheduled / 60_000}`);
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(scheduled).toISOString().replace('.000Z', 'Z'));
    assert.deepEqual(job.metadata.labels?.app, 'hello');
    assert.deepEqual(job.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const active = await waitFor(async () => {
      const cur = await h.client.get<CronJob>(cronJobsResource, 'default', 'hello');
      return cur.status?.active?.length ? cur : undefined;
    });
    assert.equal(active.status?.active?.[0].name, job.metadata.name);
    assert.equal(active.status?.lastScheduleTime, new Date(scheduled).toISOString().replace('.000Z', 'Z'));
    await complete(h.client, job, 'Complete');
    const done = await waitFor(async () => {
      const cur = await h.client.get<CronJob>(cronJobsResource, 'default', 'hello');
      return !cur.status?.active && cur.status?.lastSuccessfulTime ? cur : undefined;
    });
    assert.ok(done.status?.lastSuccessfulTime);
    const events = await h.events();
    assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created job ${job.metadata.name}`));
    assert.ok(events.some((e) => e.reason === 'SawCompletedJob' && e.message === `Saw completed job: ${job.metadata.name}, status: Complete`));
  } finally {
    await h.stop();
  }
});

test('Forbid skips a run while one is active; suspend stops runs; history limits delete the oldest finished Jobs', async () => {
  const clock = testClock();
  const h = await startControllerHarness({ controllers: [newCronJobController], now: clock.now });
  try {
    await h.client.create<CronJob>(cronJobsResource, 'default', cronJob('forbid', { concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1 }));
    clock.advance(61_000);
    await h.client.patch(cronJobsResource, 'default', 'forbid', 'merge', { metadata: { annotations: { poke: '1' } } });
    const first = await waitFor(async () => (await h.client.list<Job>(jobsResource, 'default')).items[0]);
    await waitFor(async () => (await h.client.get<CronJob>(cronJobsResource, 'default', 'forbid')).status?.active?.length, 10_000, 'active');
    clock.advance(60_000);
    await h.client.patch(cronJobsResource, 'default', 'forbid', 'merge', { metadata: { annotations: { poke: '2' } } });
    await waitFor(async () => (await h.events()).some((e) => e.reason === 'JobAlreadyActive'), 10_000, 'JobAlreadyActive');
    assert.equal((await h.client.list<Job>(jobsResource, 'default')).items.length, 1);
    await complete(h.client, first, 'Complete');
    const second = await waitFor(async () => (await h.client.list<Job>(jobsResource, 'default')).items.find((j) => j.metadata.name !== first.metadata.name));
    await complete(h.client, second, 'Complete');
    // With one successful Job kept, the first goes.
    await waitFor(async () => {
      const names = (await h.client.list<Job>(jobsResource, 'default')).items.map((j) => j.metadata.name);
      return names.length === 1 && names[0] === second.metadata.name;
    }, 10_000, 'history pruned');
    assert.ok((await h.events()).some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job ${first.metadata.name}`));
    await h.client.patch(cronJobsResource, 'default', 'forbid', 'merge', { spec: { suspend: true } });
    clock.advance(120_000);
    await h.client.patch(cronJobsResource, 'default', 'forbid', 'merge', { metadata: { annotations: { poke: '3' } } });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual((await h.client.list<Job>(jobsResource, 'default')).items.map((j) => j.metadata.name), [second.metadata.name]);
  } finally {
    await h.stop();
  }
});

test('Replace deletes the running Job when the next run starts', async () => {
  const clock = testClock();
  const h = await startControllerHarness({ controllers: [newCronJobController], now: clock.now });
  try {
    await h.client.create<CronJob>(cronJobsResource, 'default', cronJob('swap', { concurrencyPolicy: 'Replace' }));
    clock.advance(61_000);
    await h.client.patch(cronJobsResource, 'default', 'swap', 'merge', { metadata: { annotations: { poke: '1' } } });
    const first = await waitFor(async () => (await h.client.list<Job>(jobsResource, 'default')).items[0]);
    await waitFor(async () => (await h.client.get<CronJob>(cronJobsResource, 'default', 'swap')).status?.active?.length, 10_000, 'active');
    clock.advance(60_000);
    await h.client.patch(cronJobsResource, 'default', 'swap', 'merge', { metadata: { annotations: { poke: '2' } } });
    const cur = await waitFor(async () => {
      const cj = await h.client.get<CronJob>(cronJobsResource, 'default', 'swap');
      return cj.status?.active?.length === 1 && cj.status.active[0].name !== first.metadata.name ? cj : undefined;
    }, 10_000, 'replaced');
    const names = (await h.client.list<Job>(jobsResource, 'default')).items.filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name);
    assert.deepEqual(names, [cur.status?.active?.[0].name]);
    assert.ok((await h.events()).some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job ${first.metadata.name}`));
  } finally {
    await h.stop();
  }
});
