// Which ordinals a StatefulSet sync looks at. Upstream's updateStatefulSet makes a slice of
// spec.replicas slots and fills the empty ones with new pods; with replicas up to 2^31-1 that is
// work (and memory) per sync no pod asked for, in a controller that shares the API server's event
// loop. So a sync visits the pods that exist in [start, end] plus only the lowest missing
// ordinals it may create now: one for OrderedReady (it stops at the first missing pod anyway),
// a burst for Parallel; the rest come in later syncs. Cost: O(existing pods + burst).

/** Pods a Parallel sync creates at most; the rest wait for the next sync (ReplicaSet's burstReplicas). */
export const statefulSetBurstReplicas = 500;

/** The ordinals due this sync, ascending, and how many missing ones are left for later syncs. */
export interface OrdinalsDue {
  ordinals: number[];
  missingLeft: number;
}

/**
 * ordinalsDue: every present ordinal in [start, end] and the lowest maxMissing absent ones.
 * present must be ascending, without duplicates, within [start, end].
 */
export function ordinalsDue(present: readonly number[], start: number, end: number, maxMissing: number): OrdinalsDue {
  const ordinals: number[] = [];
  let budget = maxMissing;
  let next = start;
  const takeMissingBelow = (limit: number): void => {
    for (; next < limit && budget > 0; next++, budget--) ordinals.push(next);
  };
  for (const ord of present) {
    takeMissingBelow(ord);
    ordinals.push(ord);
    next = ord + 1;
  }
  takeMissingBelow(end + 1);
  const missing = Math.max(0, end - start + 1) - present.length;
  return { ordinals, missingLeft: missing - (maxMissing - budget) };
}
