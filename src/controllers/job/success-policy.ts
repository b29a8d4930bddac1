// The success policy of an Indexed Job (upstream pkg/controller/job/success_policy.go): the
// Job succeeds early once a rule's indexes (all of them, or succeededCount of them) or
// succeededCount indexes overall have succeeded.
import type { SuccessPolicy } from '../../api/types.js';
import { parseIndexes } from '../../api/job-indexes.js';

export const reasonSuccessPolicy = 'SuccessPolicy';

/** matchSuccessPolicy: the SuccessCriteriaMet message ("Matched rules at index N"), or undefined. */
export function matchSuccessPolicy(policy: SuccessPolicy | undefined, completions: number, succeeded: Set<number>): string | undefined {
  if (!policy || succeeded.size === 0) return undefined;
  for (let i = 0; i < policy.rules.length; i++) {
    const rule = policy.rules[i];
    if (rule.succeededIndexes != null) {
      const required = parseIndexes(rule.succeededIndexes, completions);
      if (required.size === 0) continue;
      const matched = [...required].filter((ix) => succeeded.has(ix)).length;
      if (matched === 0) continue;
      if (rule.succeededCount != null ? rule.succeededCount <= matched : matched === required.size) return `Matched rules at index ${i}`;
    } else if (rule.succeededCount != null && rule.succeededCount <= succeeded.size) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
