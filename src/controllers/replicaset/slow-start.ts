// slowStartBatch (upstream pkg/controller/replicaset; the StatefulSet's copy in
// stateful_set_control.go adds MaxBatchSize): calls fn `count` times in batches of 1, 2, 4, …
// (at most maxBatchSize at once), running each batch in parallel, and stops after the first batch
// with a failure, so a controller hitting quota or a bad template fails with one call, not
// hundreds. The controllers share the API server's event loop, so each batch after the first
// waits for a turn of the loop: requests that arrived meanwhile are answered between batches.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** SlowStartInitialBatchSize. */
export const slowStartInitialBatchSize = 1;

/** The batch sizes for count calls: 1, 2, 4, … capped at maxBatchSize and at what is left. */
export function* slowStartBatchSizes(count: number, initialBatchSize: number, maxBatchSize = Infinity): Generator<number> {
  let remaining = count;
  for (let batch = Math.min(remaining, initialBatchSize, maxBatchSize); batch > 0; batch = Math.min(2 * batch, remaining, maxBatchSize)) {
    yield batch;
    remaining -= batch;
  }
}

/** Returns how many calls succeeded and the first error, if any. */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
  maxBatchSize = Infinity,
): Promise<{ successes: number; error?: unknown }> {
  let successes = 0;
  let first = true;
  for (const batch of slowStartBatchSizes(count, initialBatchSize, maxBatchSize)) {
    if (!first) await nextTurn();
    first = false;
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
  }
  return { successes };
}
