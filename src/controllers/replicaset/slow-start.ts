// slowStartBatch (upstream pkg/controller/replicaset): calls fn `count` times in batches of
// 1, 2, 4, … running each batch in parallel, and stops after the first batch with a failure,
// so a controller hitting quota or a bad template fails with one call, not hundreds.

/** SlowStartInitialBatchSize. */
export const slowStartInitialBatchSize = 1;

/** Returns how many calls succeeded and the first error, if any. */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}
