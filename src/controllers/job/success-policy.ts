// The success policy of an Indexed Job (upstream pkg/controller/job/success_policy.go): the
// Job succeeds early once a rule's indexes (all of them, or succeededCount of them) or
// succeededCount indexes overall have succeeded.
import type { SuccessPolicy } from '../../api/types.js';
import { parseIndexIntervals } from '../../api/job-indexes.js';

export const reasonSuccessPolicy = 'SuccessPolicy';

/** Whether ix is in one of the ascending, disjoint intervals (validation keeps them so): a binary search. */
function inIntervals(intervals: [number, number][], ix: number): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [x, y] = intervals[mid];
    if (ix < x) hi = mid - 1;
    else if (ix > y) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * How many of succeeded fall in the rule's intervals, and how many indexes those name. The
 * intervals are counted, never expanded: "0-2147483645" is a valid rule of a valid Job.
 */
function ruleProgress(intervals: [number, number][], succeeded: Set<number>): { matched: number; required: number } {
  let matched = 0;
  for (const ix of succeeded) if (inIntervals(intervals, ix)) matched++;
  const required = intervals.reduce((n, [x, y]) => n + y - x + 1, 0);
  return { matched, required };
}

/** matchSuccessPolicy: the SuccessCriteriaMet message ("Matched rules at index N"), or undefined. */
export function matchSuccessPolicy(policy: SuccessPolicy | undefined, completions: number, succeeded: Set<number>): string | undefined {
  if (!policy || succeeded.size === 0) return undefined;
  for (let i = 0; i < policy.rules.length; i++) {
    const rule = policy.rules[i];
    if (rule.succeededIndexes != null) {
      const { matched, required } = ruleProgress(parseIndexIntervals(rule.succeededIndexes, completions), succeeded);
      if (required === 0 || matched === 0) continue;
      if (rule.succeededCount != null ? rule.succeededCount <= matched : matched === required) return `Matched rules at index ${i}`;
    } else if (rule.succeededCount != null && rule.succeededCount <= succeeded.size) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
