// Whether one PolicyRule allows a request (upstream: plugin/pkg/auth/authorizer/rbac RuleAllows
// and the rbac/v1 helpers VerbMatches, APIGroupMatches, ResourceMatches, ResourceNameMatches,
// NonResourceURLMatches). Rules only allow; there is nothing to deny.
import type { PolicyRule } from '../../api/types.js';
import type { Attributes } from './attributes.js';

const has = (list: string[] | undefined, value: string) => !!list?.some((x) => x === '*' || x === value);

export const verbMatches = (rule: PolicyRule, verb: string) => has(rule.verbs, verb);
export const apiGroupMatches = (rule: PolicyRule, group: string) => has(rule.apiGroups, group);

/** "*", the exact resource or resource/subresource, or "*\/subresource" for a subresource of anything. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

/** No resourceNames: any object (and nameless verbs); otherwise only those names. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return !rule.resourceNames?.length || rule.resourceNames.includes(name);
}

/** "*", the exact path, or a prefix ending in "*". */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))));
}

export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, a.verb)) return false;
  if (!a.isResourceRequest) return nonResourceURLMatches(rule, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return apiGroupMatches(rule, a.apiGroup) && resourceMatches(rule, combined, a.subresource) && resourceNameMatches(rule, a.name);
}
