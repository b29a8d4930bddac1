// The completion-index sets of Indexed Jobs as the API writes them: status.completedIndexes,
// status.failedIndexes and successPolicy's succeededIndexes are ascending intervals such as
// "1,3-5,7" (upstream pkg/controller/job/indexed_job_utils.go and batch validation).

/** parseIndexInterval: "x" or "x-y" within [0, completions); throws upstream's messages. */
export function parseIndexInterval(interval: string, completions: number): [number, number] {
  const limits = interval.split('-');
  if (limits.length > 2) throw new Error(`the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`);
  const parse = (s: string): number => {
    if (!/^[+-]?\d+$/.test(s)) throw new Error(`cannot convert string to integer for index: ${JSON.stringify(s)}`);
    const n = Number(s);
    if (n >= completions) throw new Error(`too large index: ${JSON.stringify(s)}`);
    return n;
  };
  const x = parse(limits[0]);
  if (limits.length === 1) return [x, x];
  const y = parse(limits[1]);
  if (x >= y) throw new Error(`non-increasing order, previous: ${x}, current: ${y}`);
  return [x, y];
}

/** validateIndexesFormat: the number of indexes the string names; throws when malformed. */
export function validateIndexesFormat(indexes: string, completions: number): number {
  if (!indexes) return 0;
  let last: number | undefined;
  let total = 0;
  for (const interval of indexes.split(',')) {
    const [x, y] = parseIndexInterval(interval, completions);
    if (last !== undefined && last >= x) throw new Error(`non-increasing order, previous: ${last}, current: ${x}`);
    total += y - x + 1;
    last = y;
  }
  return total;
}

/** The intervals an interval string names, as written (malformed fragments are skipped, as the controller does). */
export function parseIndexIntervals(indexes: string | undefined, completions: number): [number, number][] {
  const out: [number, number][] = [];
  for (const interval of (indexes ?? '').split(',')) {
    if (!interval) continue;
    try {
      out.push(parseIndexInterval(interval, completions));
    } catch {
      // skipped
    }
  }
  return out;
}

/** The indexes an interval string names (malformed fragments are skipped, as the controller does). */
export function parseIndexes(indexes: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const [x, y] of parseIndexIntervals(indexes, completions)) for (let i = x; i <= y; i++) out.add(i);
  return out;
}

/** The interval string of a set of indexes: "0-2,4". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
