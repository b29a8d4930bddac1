import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, nextBackoffRecord, remainingBackoffMs } from './job-backoff.js';

test('exponential back-off from 10s, capped at 10 minutes', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 6, 10].map((n) => backoffDelayMs(n)), [0, 10_000, 20_000, 40_000, 80_000, 320_000, 600_000]);
});

test('failures count up from the last success; the wait runs from the last failure', () => {
  let r = nextBackoffRecord({ failuresAfterLastSuccess: 0 }, [{ failed: true, finishTime: 1000 }]);
  assert.deepEqual(r, { failuresAfterLastSuccess: 1, lastFailureTime: 1000 });
  assert.equal(remainingBackoffMs(r, 5000), 6000);
  r = nextBackoffRecord(r, [{ failed: true, finishTime: 3000 }]);
  assert.equal(remainingBackoffMs(r, 5000), 18_000);
  assert.equal(remainingBackoffMs(r, 30_000), 0);
  r = nextBackoffRecord(r, [{ failed: false, finishTime: 4000 }]);
  assert.deepEqual(r, { failuresAfterLastSuccess: 0, lastFailureTime: undefined });
  assert.equal(remainingBackoffMs(r, 4000), 0);
});
