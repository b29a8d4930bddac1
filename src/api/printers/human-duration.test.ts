import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, shortHumanDuration, translateTimestampSince } from './human-duration.js';

const ms = 1;
const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

// Cases from apimachinery pkg/util/duration/duration_test.go.
test('humanDuration matches apimachinery TestHumanDuration', () => {
  const cases: [number, string][] = [
    [s, '1s'],
    [70 * s, '70s'],
    [190 * s, '3m10s'],
    [70 * m, '70m'],
    [47 * h, '47h'],
    [49 * h, '2d1h'],
    [(8 * 24 + 2) * h, '8d'],
    [367 * d, '367d'],
    [(365 * 2 * 24 + 25) * h, '2y1d'],
    [(365 * 8 * 24 + 2) * h, '8y'],
  ];
  for (const [dur, want] of cases) assert.equal(humanDuration(dur), want, `${dur}ms`);
});

test('humanDuration boundaries', () => {
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-2 * s + 0.000001, '0s'],
    [0, '0s'],
    [s - ms, '0s'],
    [2 * m - ms, '119s'],
    [2 * m, '2m'],
    [2 * m + s, '2m1s'],
    [10 * m - ms, '9m59s'],
    [10 * m, '10m'],
    [10 * m + s, '10m'],
    [3 * h - ms, '179m'],
    [3 * h, '3h'],
    [3 * h + m, '3h1m'],
    [8 * h - ms, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 59 * m, '8h'],
    [2 * d - ms, '47h'],
    [2 * d, '2d'],
    [2 * d + h, '2d1h'],
    [8 * d - ms, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 23 * h, '8d'],
    [2 * y - ms, '729d'],
    [2 * y, '2y'],
    [2 * y + 23 * h + 59 * m, '2y'],
    [2 * y + d - ms, '2y'],
    [2 * y + d, '2y1d'],
    [7 * y, '7y'],
    [8 * y - ms, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 364 * d, '8y'],
    [9 * y, '9y'],
  ];
  for (const [dur, want] of cases) assert.equal(humanDuration(dur), want, `${dur}ms`);
});

test('humanDuration: the brief examples', () => {
  assert.equal(humanDuration(45 * s), '45s');
  assert.equal(humanDuration(3 * m + 12 * s), '3m12s');
  assert.equal(humanDuration(25 * m), '25m');
  assert.equal(humanDuration(5 * h + 10 * m), '5h10m');
  assert.equal(humanDuration(30 * h), '30h');
  assert.equal(humanDuration(3 * d + 4 * h), '3d4h');
  assert.equal(humanDuration(45 * d), '45d');
  assert.equal(humanDuration(2 * y + 10 * d), '2y10d');
});

test('shortHumanDuration boundaries', () => {
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-2 * s + 0.000001, '0s'],
    [0, '0s'],
    [s - ms, '0s'],
    [s, '1s'],
    [2 * s - ms, '1s'],
    [m - ms, '59s'],
    [m, '1m'],
    [2 * m - ms, '1m'],
    [h - ms, '59m'],
    [h, '1h'],
    [2 * h - ms, '1h'],
    [d - ms, '23h'],
    [d, '1d'],
    [2 * d - ms, '1d'],
    [y - ms, '364d'],
    [y, '1y'],
    [2 * y - ms, '1y'],
    [2 * y, '2y'],
  ];
  for (const [dur, want] of cases) assert.equal(shortHumanDuration(dur), want, `${dur}ms`);
});

test('translateTimestampSince', () => {
  const now = new Date('2025-01-01T12:00:00Z');
  assert.equal(translateTimestampSince('2025-01-01T11:59:15Z', now), '45s');
  assert.equal(translateTimestampSince('2024-12-29T08:00:00Z', now), '3d4h');
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
  assert.equal(translateTimestampSince(null, now), '<unknown>');
  assert.equal(translateTimestampSince('', now), '<unknown>');
  // Go's zero time is metav1.Time.IsZero().
  assert.equal(translateTimestampSince('0001-01-01T00:00:00Z', now), '<unknown>');
  // MicroTime (events) carries microseconds.
  assert.equal(translateTimestampSince('2025-01-01T11:55:00.123456Z', now), '4m59s');
  // A clock a little ahead is "now"; further ahead is invalid.
  assert.equal(translateTimestampSince('2025-01-01T12:00:01Z', now), '0s');
  assert.equal(translateTimestampSince('2025-01-01T12:00:05Z', now), '<invalid>');
});
