// When a CronJob runs (upstream pkg/controller/cronjob/utils.go): the most recent scheduled
// time not yet run since the last schedule (or creation), bounded by startingDeadlineSeconds;
// how many were missed; when to look again; the name of a run's Job.
import type { CronJob } from '../../api/types.js';
import { parseStandard, type CronSchedule } from '../../util/cron/cron-schedule.js';

/** nextScheduleDelta: requeue a little after the scheduled time, for clock skew. */
export const nextScheduleDeltaMs = 100;

export type MissedSchedules = 'none' | 'few' | 'many';

export interface MostRecent {
  earliest: Date;
  mostRecent?: Date;
  missed: MissedSchedules;
}

/**
 * formatSchedule: the spec's schedule in its timeZone (a TZ= prefix); a schedule with its own
 * CRON_TZ/TZ is used as written.
 */
export function scheduleSpec(cj: CronJob): string {
  if (cj.spec.schedule.includes('TZ')) return cj.spec.schedule;
  return cj.spec.timeZone ? `TZ=${cj.spec.timeZone} ${cj.spec.schedule}` : cj.spec.schedule;
}

export function parseCronJobSchedule(cj: CronJob, defaultZone?: string): CronSchedule {
  return parseStandard(scheduleSpec(cj), defaultZone);
}

/** mostRecentScheduleTime; throws when two schedules are less than a second apart (an impossible date). */
export function mostRecentScheduleTime(cj: CronJob, now: Date, schedule: CronSchedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = new Date(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? now.toISOString());
  const deadline = cj.spec.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline != null) {
    const schedulingDeadline = new Date(now.getTime() - deadline * 1000);
    if (schedulingDeadline > earliest) earliest = schedulingDeadline;
  }
  const t1 = schedule.next(earliest);
  const t2 = t1 && schedule.next(t1);
  if (!t1 || now < t1) return { earliest, missed: 'none' };
  if (!t2 || now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2.getTime() - t1.getTime()) / 1000);
  if (between < 1) throw new Error('time difference between two schedules is less than 1 second');
  const elapsed = Math.trunc((now.getTime() - t1.getTime()) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  // Step back one interval from the estimate and let the schedule find the exact times.
  const potentialEarliest = new Date(t1.getTime() + (missedCount - 2) * between * 1000);
  let mostRecent: Date | undefined;
  for (let t = schedule.next(potentialEarliest); t && t <= now; t = schedule.next(t)) mostRecent = t;
  const missed: MissedSchedules = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** nextScheduleTimeDuration: how long until the next run is due (plus the skew delta). */
export function nextScheduleDelayMs(cj: CronJob, now: Date, schedule: CronSchedule): number | undefined {
  let from: Date;
  try {
    const r = mostRecentScheduleTime(cj, now, schedule, false);
    from = r.mostRecent ?? (r.missed === 'none' ? r.earliest : now);
  } catch {
    from = now;
  }
  const next = schedule.next(from);
  return next ? next.getTime() + nextScheduleDeltaMs - now.getTime() : undefined;
}

/** getTimeHashInMinutes: a run's Job is <cronjob>-<scheduled time in minutes since the epoch>. */
export function jobNameFor(cj: CronJob, scheduled: Date): string {
  return `${cj.metadata.name}-${Math.floor(scheduled.getTime() / 60_000)}`;
}

/** time.RFC3339 of the scheduled time in the CronJob's zone (UTC when none), for the annotation. */
export function scheduledTimestamp(scheduled: Date, timeZone: string | undefined): string {
  const zone = timeZone ?? 'UTC';
  const parts: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  for (const p of f.formatToParts(scheduled)) parts[p.type] = p.value;
  const wallUTC = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((wallUTC - Math.floor(scheduled.getTime() / 1000) * 1000) / 60_000);
  const base = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  if (offsetMin === 0) return `${base}Z`;
  const sign = offsetMin > 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${base}${sign}${String(Math.trunc(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
