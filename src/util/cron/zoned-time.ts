// Wall-clock arithmetic in an IANA time zone, the part of Go's time package that cron
// schedules need (t.In(loc) fields, time.Date normalisation, AddDate), built on Intl so the
// zone database is the one Node ships.

export interface WallClock {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday, as time.Weekday. */
  weekday: number;
}

const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The process's own zone (Go's time.Local), e.g. "UTC" on most servers. */
export function localTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
}

/** Whether Intl knows the zone (time.LoadLocation succeeding). */
export function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

export class Zone {
  constructor(readonly name: string) {}

  /** The wall clock at an instant (t.In(loc)). */
  wall(ms: number): WallClock {
    const parts: Record<string, string> = {};
    for (const p of formatter(this.name).formatToParts(new Date(ms))) parts[p.type] = p.value;
    return {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      hour: Number(parts.hour),
      minute: Number(parts.minute),
      second: Number(parts.second),
      weekday: weekdays[parts.weekday] ?? 0,
    };
  }

  /** The zone's offset from UTC at an instant, in ms. */
  offset(ms: number): number {
    const w = this.wall(ms);
    const asUTC = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    return asUTC - Math.floor(ms / 1000) * 1000;
  }

  /**
   * time.Date(y, m, d, h, min, s, 0, loc): out-of-range fields normalise (month 13 is next
   * January); a wall time a DST change skips or repeats resolves as Go does, by the offset in
   * force at the guessed instant.
   */
  date(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const asUTC = Date.UTC(year, month - 1, day, hour, minute, second);
    let offset = this.offset(asUTC);
    const guess = asUTC - offset;
    const actual = this.offset(guess);
    if (actual !== offset) offset = actual;
    return asUTC - offset;
  }

  /** t.AddDate(years, months, days) in this zone. */
  addDate(ms: number, years: number, months: number, days: number): number {
    const w = this.wall(ms);
    return this.date(w.year + years, w.month + months, w.day + days, w.hour, w.minute, w.second) + (ms % 1000);
  }
}
