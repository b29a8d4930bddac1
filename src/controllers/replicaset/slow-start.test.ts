import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxBatchSize, settleInBatches, slowStartBatch, slowStartBatchSizes } from './slow-start.js';

test('slowStartBatchSizes doubles from the initial size, capped by what is left and by the max batch', () => {
  assert.deepEqual([...slowStartBatchSizes(10, 1)], [1, 2, 4, 3]);
  assert.deepEqual([...slowStartBatchSizes(300, 1)], [1, 2, 4, 8, 16, 32, 64, 100, 73]);
  assert.deepEqual([...slowStartBatchSizes(0, 1)], []);
  assert.deepEqual([...slowStartBatchSizes(1500, 1, 500)], [1, 2, 4, 8, 16, 32, 64, 128, 256, 500, 489]);
});

test('slowStartBatchSizes is lazy: a count of 2^31-1 costs only the batches taken', () => {
  const sizes = slowStartBatchSizes(2 ** 31 - 1, 1, 500);
  const first = Array.from({ length: 12 }, () => sizes.next().value);
  assert.deepEqual(first, [1, 2, 4, 8, 16, 32, 64, 128, 256, 500, 500, 500]);
});

test('slowStartBatch lets other work run between batches (the API answers while a controller creates)', async () => {
  let calls = 0;
  let timerRanAt = -1;
  setImmediate(() => (timerRanAt = calls));
  // Each call resolves at once (microtasks only): without a turn of the loop between batches, the
  // callback (standing for a request to the API) would run only after all 1000 calls.
  const r = await slowStartBatch(1000, 1, async () => void calls++);
  assert.deepEqual(r, { successes: 1000 });
  assert.ok(timerRanAt >= 1 && timerRanAt < 1000, `callback ran after ${timerRanAt} calls`);
});

test('settleInBatches calls every item, past failures, at most maxBatchSize in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const results = await settleInBatches(
    Array.from({ length: 250 }, (_, i) => i),
    async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((res) => setImmediate(res));
      inFlight--;
      if (i % 100 === 7) throw new Error(`item ${i}`);
    },
  );
  assert.equal(results.length, 250);
  assert.equal(results.filter((r) => r.status === 'rejected').length, 3);
  assert.equal(most, maxBatchSize);
});
