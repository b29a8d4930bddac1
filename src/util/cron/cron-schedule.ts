// Standard 5-field cron schedules as the CronJob controller reads them: robfig/cron v3's
// ParseStandard (minute hour day-of-month month day-of-week, month and weekday names, `*`,
// `?`, ranges, steps, lists, the @yearly/@monthly/@weekly/@daily/@hourly/@every
// descriptors, a CRON_TZ= or TZ= prefix) and SpecSchedule.Next, with the library's error
// texts, which the API server returns as validation messages.
import { parseGoDuration } from './go-duration.js';
import { isKnownTimeZone, localTimeZone, Zone } from './zoned-time.js';

export interface CronSchedule {
  /** The first activation strictly after t; undefined when none within five years (Go's zero time). */
  next(t: Date): Date | undefined;
}

export class CronParseError extends Error {}

/** One field's allowed values, and whether it was written as `*` / `?` (robfig's starBit). */
interface FieldSet {
  values: Set<number>;
  star: boolean;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const minutes: Bounds = { min: 0, max: 59 };
const hours: Bounds = { min: 0, max: 23 };
const dom: Bounds = { min: 1, max: 31 };
const months: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const dow: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** strconv.Atoi's acceptance: an optional sign and decimal digits. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

/** getRange: one `a`, `a-b`, `*`, with an optional `/step`. */
function getRange(expr: string, r: Bounds, into: FieldSet): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = r.min;
    end = r.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0], r.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], r.names);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step: number;
  if (rangeAndStep.length === 1) step = 1;
  else if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]);
    // "N/step" means "N-max/step".
    if (singleDigit) end = r.max;
    if (step > 1) star = false;
  } else throw new CronParseError(`too many slashes: ${expr}`);
  if (start < r.min) throw new CronParseError(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new CronParseError(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.values.add(v);
  if (star) into.star = true;
}

function getField(field: string, r: Bounds): FieldSet {
  const set: FieldSet = { values: new Set(), star: false };
  for (const expr of field.split(',').filter((e) => e !== '')) getRange(expr, r, set);
  return set;
}

function all(r: Bounds): FieldSet {
  const values = new Set<number>();
  for (let v = r.min; v <= r.max; v++) values.add(v);
  return { values, star: true };
}

function only(...v: number[]): FieldSet {
  return { values: new Set(v), star: false };
}

interface Spec {
  second: FieldSet;
  minute: FieldSet;
  hour: FieldSet;
  dom: FieldSet;
  month: FieldSet;
  dow: FieldSet;
}

/** SpecSchedule: the activation times of a parsed spec in a zone. */
class SpecSchedule implements CronSchedule {
  private readonly zone: Zone;

  constructor(
    private readonly spec: Spec,
    zone: string,
  ) {
    this.zone = new Zone(zone);
  }

  /** dayMatches: a restricted day-of-month OR a restricted weekday, unless either is `*`. */
  private dayMatches(day: number, weekday: number): boolean {
    const domMatch = this.spec.dom.values.has(day);
    const dowMatch = this.spec.dow.values.has(weekday);
    if (this.spec.dom.star || this.spec.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  next(from: Date): Date | undefined {
    const z = this.zone;
    const s = this.spec;
    // Start at the upcoming second.
    let t = Math.floor(from.getTime() / 1000) * 1000 + 1000;
    let added = false;
    const yearLimit = z.wall(t).year + 5;
    wrap: for (;;) {
      let w = z.wall(t);
      if (w.year > yearLimit) return undefined;
      while (!s.month.values.has(w.month)) {
        if (!added) {
          added = true;
          t = z.date(w.year, w.month, 1, 0, 0, 0);
        }
        t = z.addDate(t, 0, 1, 0);
        w = z.wall(t);
        if (w.month === 1) continue wrap;
      }
      while (!this.dayMatches(w.day, w.weekday)) {
        if (!added) {
          added = true;
          t = z.date(w.year, w.month, w.day, 0, 0, 0);
        }
        t = z.addDate(t, 0, 0, 1);
        w = z.wall(t);
        // A DST change may have moved midnight.
        if (w.hour !== 0) {
          t += (w.hour > 12 ? 24 - w.hour : -w.hour) * 3_600_000;
          w = z.wall(t);
        }
        if (w.day === 1) continue wrap;
      }
      while (!s.hour.values.has(w.hour)) {
        if (!added) {
          added = true;
          t = z.date(w.year, w.month, w.day, w.hour, 0, 0);
        }
        t += 3_600_000;
        w = z.wall(t);
        if (w.hour === 0) continue wrap;
      }
      while (!s.minute.values.has(w.minute)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 60_000) * 60_000;
        }
        t += 60_000;
        w = z.wall(t);
        if (w.minute === 0) continue wrap;
      }
      while (!s.second.values.has(w.second)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 1000) * 1000;
        }
        t += 1000;
        w = z.wall(t);
        if (w.second === 0) continue wrap;
      }
      return new Date(t);
    }
  }
}

/** ConstantDelaySchedule ("@every d"): every d after the previous activation, whole seconds, at least 1s. */
class ConstantDelaySchedule implements CronSchedule {
  private readonly delayMs: number;

  constructor(delayMs: number) {
    this.delayMs = delayMs < 1000 ? 1000 : delayMs - (delayMs % 1000);
  }

  next(t: Date): Date {
    return new Date(Math.floor(t.getTime() / 1000) * 1000 + this.delayMs);
  }
}

function parseDescriptor(descriptor: string, zone: string): CronSchedule {
  const zero = only(0);
  const spec = (over: Partial<Spec>): CronSchedule =>
    new SpecSchedule({ second: zero, minute: zero, hour: zero, dom: all(dom), month: all(months), dow: all(dow), ...over }, zone);
  switch (descriptor) {
    case '@yearly':
    case '@annually':
      return spec({ dom: only(1), month: only(1) });
    case '@monthly':
      return spec({ dom: only(1) });
    case '@weekly':
      return spec({ dow: only(0) });
    case '@daily':
    case '@midnight':
      return spec({});
    case '@hourly':
      return spec({ hour: all(hours) });
  }
  const every = '@every ';
  if (descriptor.startsWith(every)) {
    let ms: number;
    try {
      ms = parseGoDuration(descriptor.slice(every.length));
    } catch (e) {
      throw new CronParseError(`failed to parse duration ${descriptor}: ${(e as Error).message}`);
    }
    return new ConstantDelaySchedule(ms);
  }
  throw new CronParseError(`unrecognized descriptor: ${descriptor}`);
}

/** Go's %s of a []string: `[a b c]`. */
function goStringSlice(fields: string[]): string {
  return `[${fields.join(' ')}]`;
}

/**
 * cron.ParseStandard. Throws CronParseError with robfig/cron's message. defaultZone stands for
 * time.Local (the controller manager's zone).
 */
export function parseStandard(spec: string, defaultZone: string = localTimeZone()): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let zone = defaultZone;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const name = i < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, i);
    if (i < 0 || !isKnownTimeZone(name) || name === '') throw new CronParseError(`provided bad location ${name}: unknown time zone ${name}`);
    zone = name;
    spec = spec.slice(i).trim();
  }
  if (spec.startsWith('@')) return parseDescriptor(spec, zone);
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: ${goStringSlice(fields)}`);
  return new SpecSchedule(
    {
      second: only(0),
      minute: getField(fields[0], minutes),
      hour: getField(fields[1], hours),
      dom: getField(fields[2], dom),
      month: getField(fields[3], months),
      dow: getField(fields[4], dow),
    },
    zone,
  );
}
