// Cases from robfig/cron v3's parser_test.go / spec_test.go semantics (re-derived, not copied).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStandard } from './cron-schedule.js';
import { parseGoDuration } from './go-duration.js';

function nextUTC(spec: string, from: string): string | undefined {
  return parseStandard(spec, 'UTC').next(new Date(from))?.toISOString();
}

test('every minute and */n steps', () => {
  assert.equal(nextUTC('*/1 * * * *', '2024-05-01T10:00:00Z'), '2024-05-01T10:01:00.000Z');
  assert.equal(nextUTC('* * * * *', '2024-05-01T10:00:30.500Z'), '2024-05-01T10:01:00.000Z');
  assert.equal(nextUTC('*/15 * * * *', '2024-05-01T10:16:00Z'), '2024-05-01T10:30:00.000Z');
  assert.equal(nextUTC('5/20 * * * *', '2024-05-01T10:26:00Z'), '2024-05-01T10:45:00.000Z');
  assert.equal(nextUTC('0 */6 * * *', '2024-05-01T23:10:00Z'), '2024-05-02T00:00:00.000Z');
});

test('lists, ranges and names', () => {
  assert.equal(nextUTC('0 9 * * mon-fri', '2024-05-03T10:00:00Z'), '2024-05-06T09:00:00.000Z'); // Fri → Mon
  assert.equal(nextUTC('30 8 1,15 * *', '2024-05-02T00:00:00Z'), '2024-05-15T08:30:00.000Z');
  assert.equal(nextUTC('0 0 1 jan,JUL *', '2024-02-10T00:00:00Z'), '2024-07-01T00:00:00.000Z');
  assert.equal(nextUTC('0 0 29 2 *', '2024-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
});

test('day of month OR day of week when both are restricted; AND when either is *', () => {
  // 13th or a Friday.
  assert.equal(nextUTC('0 0 13 * 5', '2024-05-01T00:00:00Z'), '2024-05-03T00:00:00.000Z');
  // ? counts as * (AND): every Friday.
  assert.equal(nextUTC('0 0 ? * 5', '2024-05-04T00:00:00Z'), '2024-05-10T00:00:00.000Z');
});

test('descriptors', () => {
  assert.equal(nextUTC('@hourly', '2024-05-01T10:00:00Z'), '2024-05-01T11:00:00.000Z');
  assert.equal(nextUTC('@daily', '2024-05-01T10:00:00Z'), '2024-05-02T00:00:00.000Z');
  assert.equal(nextUTC('@midnight', '2024-05-01T10:00:00Z'), '2024-05-02T00:00:00.000Z');
  assert.equal(nextUTC('@weekly', '2024-05-01T10:00:00Z'), '2024-05-05T00:00:00.000Z');
  assert.equal(nextUTC('@monthly', '2024-05-01T10:00:00Z'), '2024-06-01T00:00:00.000Z');
  assert.equal(nextUTC('@yearly', '2024-05-01T10:00:00Z'), '2025-01-01T00:00:00.000Z');
  assert.equal(nextUTC('@annually', '2024-05-01T10:00:00Z'), '2025-01-01T00:00:00.000Z');
  assert.equal(nextUTC('@every 1h30m', '2024-05-01T10:00:00.700Z'), '2024-05-01T11:30:00.000Z');
  assert.equal(nextUTC('@every 10ms', '2024-05-01T10:00:00Z'), '2024-05-01T10:00:01.000Z');
});

test('time zones: CRON_TZ / TZ prefixes and the default zone', () => {
  // 09:00 in Tokyo is 00:00 UTC.
  assert.equal(nextUTC('CRON_TZ=Asia/Tokyo 0 9 * * *', '2024-05-01T10:00:00Z'), '2024-05-02T00:00:00.000Z');
  assert.equal(nextUTC('TZ=Asia/Tokyo 0 9 * * *', '2024-05-01T10:00:00Z'), '2024-05-02T00:00:00.000Z');
  assert.equal(parseStandard('0 9 * * *', 'America/New_York').next(new Date('2024-01-10T00:00:00Z'))?.toISOString(), '2024-01-10T14:00:00.000Z');
  assert.equal(parseStandard('0 9 * * *', 'America/New_York').next(new Date('2024-07-10T00:00:00Z'))?.toISOString(), '2024-07-10T13:00:00.000Z');
});

test('daylight saving: a skipped hour is not run that day, a repeated one once', () => {
  // 2024-03-10 02:30 does not exist in New York.
  const spring = parseStandard('30 2 * * *', 'America/New_York');
  assert.equal(spring.next(new Date('2024-03-10T05:00:00Z'))?.toISOString(), '2024-03-11T06:30:00.000Z');
  // 2024-11-03 01:30 happens twice; it runs at the first.
  const fall = parseStandard('30 1 * * *', 'America/New_York');
  assert.equal(fall.next(new Date('2024-11-03T04:00:00Z'))?.toISOString(), '2024-11-03T05:30:00.000Z');
});

test('an impossible date has no next time within five years', () => {
  assert.equal(nextUTC('0 0 30 2 *', '2024-01-01T00:00:00Z'), undefined);
});

test('parse errors carry robfig/cron messages', () => {
  const msg = (spec: string) => {
    try {
      parseStandard(spec, 'UTC');
    } catch (e) {
      return (e as Error).message;
    }
    return 'parsed';
  };
  assert.equal(msg(''), 'empty spec string');
  assert.equal(msg('* * * *'), 'expected exactly 5 fields, found 4: [* * * *]');
  assert.equal(msg('0 0 * * * *'), 'expected exactly 5 fields, found 6: [0 0 * * * *]');
  assert.equal(msg('60 * * * *'), 'end of range (60) above maximum (59): 60');
  assert.equal(msg('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
  assert.equal(msg('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
  assert.equal(msg('*/0 * * * *'), 'step of range should be a positive number: */0');
  assert.equal(msg('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
  assert.equal(msg('1-2-3 * * * *'), 'too many hyphens: 1-2-3');
  assert.equal(msg('1/2/3 * * * *'), 'too many slashes: 1/2/3');
  assert.equal(msg('* * * * 7'), 'end of range (7) above maximum (6): 7');
  assert.equal(msg('@fortnightly'), 'unrecognized descriptor: @fortnightly');
  assert.equal(msg('@every 1d'), 'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"');
  assert.equal(msg('CRON_TZ=Mars/Base * * * * *'), 'provided bad location Mars/Base: unknown time zone Mars/Base');
});

test('Go durations', () => {
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.throws(() => parseGoDuration('5'), /missing unit in duration "5"/);
});
