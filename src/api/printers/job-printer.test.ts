import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job, ReplicationController } from '../types.js';
import { jobColumns, jobRow } from './job-printer.js';
import { cronJobColumns, cronJobRow } from './cronjob-printer.js';
import { replicationControllerRow } from './replicationcontroller-printer.js';

const now = new Date('2025-01-01T12:00:00Z');
const template = { spec: { containers: [{ name: 'fake-job-container1', image: 'fake-job-image1' }] } };

test('job columns as 1.33 prints them', () => {
  assert.deepEqual(
    jobColumns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Status', 0], ['Completions', 0], ['Duration', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1]],
  );
});

// TestPrintJob's cases.
test('printJob: running, complete, failed, suspended, work queue', () => {
  const base = (over: Partial<Job>): Job => ({
    metadata: { name: 'job1', creationTimestamp: '2025-01-01T11:59:00Z' },
    spec: { completions: 2, template, selector: { matchLabels: { 'job-label': 'job-lable-value' } } },
    ...over,
  });
  assert.deepEqual(jobRow(base({ status: { succeeded: 1, startTime: '2025-01-01T11:59:00Z' } }), now).cells, [
    'job1', 'Running', '1/2', '60s', '60s', 'fake-job-container1', 'fake-job-image1', 'job-label=job-lable-value',
  ]);
  const complete = base({
    status: { succeeded: 2, startTime: '2025-01-01T11:00:00Z', completionTime: '2025-01-01T11:03:30Z', conditions: [{ type: 'Complete', status: 'True' }] },
  });
  assert.deepEqual(jobRow(complete, now).cells.slice(0, 4), ['job1', 'Complete', '2/2', '3m30s']);
  const failed = base({ status: { failed: 7, startTime: '2025-01-01T11:59:00Z', conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }] } });
  assert.deepEqual(jobRow(failed, now).cells.slice(0, 4), ['job1', 'Failed', '0/2', '60s']);
  const suspended = base({ status: { conditions: [{ type: 'Suspended', status: 'True' }] } });
  assert.deepEqual(jobRow(suspended, now).cells.slice(0, 4), ['job1', 'Suspended', '0/2', '']);
  const queue = base({ spec: { parallelism: 2, template } });
  assert.deepEqual(jobRow(queue, now).cells.slice(0, 4), ['job1', 'Running', '0/1 of 2', '']);
  const single = base({ spec: { template } });
  assert.deepEqual(jobRow(single, now).cells.slice(2, 3), ['0/1']);
  const deleting = base({ metadata: { name: 'job1', deletionTimestamp: '2025-01-01T11:59:00Z' } });
  assert.equal(jobRow(deleting, now).cells[1], 'Terminating');
});

test('printCronJob: schedule, timezone, suspend, active, last schedule', () => {
  assert.deepEqual(
    cronJobColumns.map((c) => c.name),
    ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector'],
  );
  const cj: CronJob = {
    metadata: { name: 'cronjob1', creationTimestamp: '2025-01-01T11:59:00Z' },
    spec: { schedule: '0/5 * * * ?', suspend: false, jobTemplate: { spec: { template } } },
    status: { lastScheduleTime: '2025-01-01T11:59:30Z' },
  };
  assert.deepEqual(cronJobRow(cj, now).cells, ['cronjob1', '0/5 * * * ?', '<none>', 'False', 0, '30s', '60s', 'fake-job-container1', 'fake-job-image1', '<none>']);
  const tz: CronJob = { ...cj, spec: { ...cj.spec, timeZone: 'Asia/Tokyo', suspend: undefined }, status: { active: [{ name: 'a' }] } };
  assert.deepEqual(cronJobRow(tz, now).cells.slice(2, 6), ['Asia/Tokyo', '<unset>', 1, '<none>']);
});

test('printReplicationController: the selector is a label map', () => {
  const rc: ReplicationController = {
    metadata: { name: 'rc1', creationTimestamp: '2025-01-01T11:59:00Z' },
    spec: { replicas: 5, selector: { b: '2', a: '1' }, template },
    status: { replicas: 5, readyReplicas: 2 },
  };
  assert.deepEqual(replicationControllerRow(rc, now).cells, ['rc1', 5, 5, 2, '60s', 'fake-job-container1', 'fake-job-image1', 'a=1,b=2']);
});
