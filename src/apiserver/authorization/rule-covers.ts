// Whether one set of rules covers another (upstream pkg/registry/rbac/validation's
// policy_comparator.go Covers and BreakdownRule, and rbac/v1 helpers CompactRules and
// CompactString): the servant's rules are broken into one verb on one resource (or one
// non-resource URL) each, and every piece must be allowed by some owner rule. Used by the
// escalation check (a user grants only what they hold) and by bootstrap reconciliation (which
// default rules a changed role is missing).
import { goQuote } from '../../api/errors.js';
import type { PolicyRule } from '../../api/types.js';

const verbAll = '*';
const apiGroupAll = '*';
const resourceAll = '*';

const has = (set: readonly string[] | undefined, x: string) => !!set?.includes(x);
const hasAll = (set: readonly string[] | undefined, xs: readonly string[] | undefined) => (xs ?? []).every((x) => has(set, x));

/** One verb on one group/resource (and one name), or one verb on one non-resource URL, per piece. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const pieces: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames?.length) {
          for (const name of rule.resourceNames) pieces.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else pieces.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) pieces.push({ nonResourceURLs: [url], verbs: [verb] });
  return pieces;
}

/** "*", every resource exactly, or a subresource by "*\/sub". */
function resourceCoversAll(owner: readonly string[] | undefined, resources: readonly string[] | undefined): boolean {
  if (has(owner, resourceAll) || hasAll(owner, resources)) return true;
  return (resources ?? []).every((r) => has(owner, r) || (r.includes('/') && has(owner, `*/${r.slice(r.indexOf('/') + 1)}`)));
}

function nonResourceURLCovers(owner: string, path: string): boolean {
  return owner === path || (owner.endsWith('*') && path.startsWith(owner.replace(/\*+$/, '')));
}

function ruleCovers(owner: PolicyRule, piece: PolicyRule): boolean {
  const verbs = has(owner.verbs, verbAll) || hasAll(owner.verbs, piece.verbs);
  const groups = has(owner.apiGroups, apiGroupAll) || hasAll(owner.apiGroups, piece.apiGroups);
  const resources = resourceCoversAll(owner.resources, piece.resources);
  const urls = (piece.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)));
  const names = !owner.resourceNames?.length || (!!piece.resourceNames?.length && hasAll(owner.resourceNames, piece.resourceNames));
  return verbs && groups && resources && urls && names;
}

/** The pieces of servant that no owner rule covers (none: owner covers servant). */
export function uncoveredRules(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  return servant.flatMap(breakdownRule).filter((piece) => !owner.some((o) => ruleCovers(o, piece)));
}

/** Pieces on one group and resource (and at most one name) merge into one rule with all their verbs. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = simpleResourceKey(r);
    if (key === undefined) {
      compacted.push(r);
      continue;
    }
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...r.verbs];
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...compacted, ...simple.values()];
}

function simpleResourceKey(r: PolicyRule): string | undefined {
  if ((r.resourceNames?.length ?? 0) > 1 || r.nonResourceURLs?.length) return undefined;
  if (r.apiGroups?.length !== 1 || r.resources?.length !== 1) return undefined;
  return JSON.stringify([r.apiGroups[0], r.resources[0], r.resourceNames?.[0] ?? null]);
}

/** Go's %q of a []string: ["a" "b"]. */
export const goQuoteList = (xs: readonly string[]) => `[${xs.map(goQuote).join(' ')}]`;

/** CompactString: the rule as escalation errors print it, e.g. {APIGroups:[""], Resources:["secrets"], Verbs:["get"]}. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoteList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goQuoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
