import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob } from '../../api/types.js';
import { jobNameFor, mostRecentScheduleTime, nextScheduleDelayMs, parseCronJobSchedule, scheduledTimestamp } from './cronjob-schedule.js';

function cronJob(schedule: string, created: string, over: Partial<CronJob['spec']> = {}, lastScheduleTime?: string): CronJob {
  return {
    metadata: { name: 'hello', namespace: 'default', creationTimestamp: created },
    spec: { schedule, jobTemplate: { spec: { template: { spec: { containers: [] } } } }, ...over },
    status: lastScheduleTime ? { lastScheduleTime } : {},
  };
}

test('the most recent unmet time since creation, then since the last schedule', () => {
  const cj = cronJob('*/1 * * * *', '2024-05-01T10:00:30Z');
  const sched = parseCronJobSchedule(cj, 'UTC');
  assert.deepEqual(mostRecentScheduleTime(cj, new Date('2024-05-01T10:00:50Z'), sched, true), { earliest: new Date('2024-05-01T10:00:30Z'), missed: 'none' });
  assert.equal(mostRecentScheduleTime(cj, new Date('2024-05-01T10:01:05Z'), sched, true).mostRecent?.toISOString(), '2024-05-01T10:01:00.000Z');
  // Three runs missed: the latest is taken, the rest are few misses.
  const late = mostRecentScheduleTime(cj, new Date('2024-05-01T10:03:10Z'), sched, true);
  assert.equal(late.mostRecent?.toISOString(), '2024-05-01T10:03:00.000Z');
  assert.equal(late.missed, 'few');
  const ran = cronJob('*/1 * * * *', '2024-05-01T10:00:30Z', {}, '2024-05-01T10:03:00Z');
  assert.equal(mostRecentScheduleTime(ran, new Date('2024-05-01T10:03:10Z'), sched, true).mostRecent, undefined);
});

test('more than 100 missed runs are many; startingDeadlineSeconds bounds how far back runs count', () => {
  const cj = cronJob('*/1 * * * *', '2024-05-01T00:00:00Z');
  const sched = parseCronJobSchedule(cj, 'UTC');
  const r = mostRecentScheduleTime(cj, new Date('2024-05-01T05:00:10Z'), sched, true);
  assert.equal(r.missed, 'many');
  assert.equal(r.mostRecent?.toISOString(), '2024-05-01T05:00:00.000Z');
  const bounded = cronJob('*/1 * * * *', '2024-05-01T00:00:00Z', { startingDeadlineSeconds: 30 });
  const b = mostRecentScheduleTime(bounded, new Date('2024-05-01T05:00:10Z'), sched, true);
  assert.equal(b.missed, 'none');
  assert.equal(b.mostRecent?.toISOString(), '2024-05-01T05:00:00.000Z');
});

test('decades of missed minutes are counted, not walked: the schedule is asked a few times', () => {
  const cj = cronJob('* * * * *', '1970-01-01T00:00:00Z', {}, '1971-01-01T00:00:00Z');
  const sched = parseCronJobSchedule(cj, 'UTC');
  let calls = 0;
  const counting = { ...sched, next: (t: Date) => (calls++, sched.next(t)) };
  const r = mostRecentScheduleTime(cj, new Date('2026-12-07T16:45:30Z'), counting, true);
  assert.equal(r.missed, 'many');
  assert.equal(r.mostRecent?.toISOString(), '2026-12-07T16:45:00.000Z');
  assert.ok(calls < 10, `${calls} calls to next`);
  // Weekdays at 9: the interval between the first two runs is a day or three; still a handful of calls.
  calls = 0;
  const weekdays = parseCronJobSchedule(cronJob('0 9 * * 1-5', '1980-01-01T00:00:00Z'), 'UTC');
  const countingWeekdays = { ...weekdays, next: (t: Date) => (calls++, weekdays.next(t)) };
  const w = mostRecentScheduleTime(cronJob('0 9 * * 1-5', '1980-01-01T00:00:00Z'), new Date('2026-12-07T16:45:30Z'), countingWeekdays, true);
  assert.equal(w.mostRecent?.toISOString(), '2026-12-07T09:00:00.000Z');
  assert.ok(calls < 20, `${calls} calls to next`);
});

test('an impossible schedule never runs; the next run is requeued 100ms after it is due', () => {
  const never = cronJob('0 0 31 2 *', '2024-01-01T00:00:00Z');
  assert.equal(mostRecentScheduleTime(never, new Date('2024-05-01T00:00:00Z'), parseCronJobSchedule(never, 'UTC'), true).mostRecent, undefined);
  const cj = cronJob('*/5 * * * *', '2024-05-01T10:00:30Z');
  assert.equal(nextScheduleDelayMs(cj, new Date('2024-05-01T10:01:00Z'), parseCronJobSchedule(cj, 'UTC')), 4 * 60_000 + 100);
});

test('timeZone applies to the schedule; job names count minutes since the epoch; the annotation is in the zone', () => {
  const cj = cronJob('0 9 * * *', '2024-05-01T00:30:00Z', { timeZone: 'Asia/Tokyo' });
  const r = mostRecentScheduleTime(cj, new Date('2024-05-01T00:00:10Z'), parseCronJobSchedule(cj, 'UTC'), true);
  assert.equal(r.mostRecent, undefined);
  const next = parseCronJobSchedule(cj, 'UTC').next(new Date('2024-05-01T00:30:00Z'))!;
  assert.equal(next.toISOString(), '2024-05-02T00:00:00.000Z');
  assert.equal(jobNameFor(cj, next), `hello-${next.getTime() / 60_000}`);
  assert.equal(scheduledTimestamp(next, 'Asia/Tokyo'), '2024-05-02T09:00:00+09:00');
  assert.equal(scheduledTimestamp(next, undefined), '2024-05-02T00:00:00Z');
});
