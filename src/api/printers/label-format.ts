// How the printers render labels and label selectors, as apimachinery does:
// labels.FormatLabels, metav1.LabelSelectorAsSelector(...).String() and metav1.FormatLabelSelector.

import type { LabelSelector, LabelSelectorRequirement } from '../types.js';

/** labels.FormatLabels: `a=1,b=2` with keys sorted, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const set = labels ?? {};
  const keys = Object.keys(set).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${set[k]}`).join(',');
}

// labels.Requirement.String() for a matchExpressions entry: values sorted on output,
// `!key` for DoesNotExist. undefined where labels.NewRequirement would reject it.
function expressionString(req: LabelSelectorRequirement): string | undefined {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) return undefined;
      const op = req.operator === 'In' ? 'in' : 'notin';
      return `${req.key} ${op} (${[...values].sort().join(',')})`;
    }
    case 'Exists':
      return values.length === 0 ? req.key : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? `!${req.key}` : undefined;
    default:
      return undefined;
  }
}

/**
 * metav1.LabelSelectorAsSelector(s).String(): requirements sorted by key; "" for a nil or
 * empty selector (labels.Nothing and labels.Everything both print as ""); undefined when
 * the selector is invalid.
 */
function selectorString(selector: LabelSelector | null | undefined): string | undefined {
  if (!selector) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    reqs.push({ key, text: `${key}=${value}` });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const text = expressionString(expr);
    if (text === undefined) return undefined;
    reqs.push({ key: expr.key, text });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** The deployment printer's selector cell: the selector string, `<invalid>` if it does not parse. */
export function labelSelectorAsSelectorString(selector: LabelSelector | null | undefined): string {
  return selectorString(selector) ?? '<invalid>';
}

/** metav1.FormatLabelSelector: `app=web,tier in (a,b)`, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  const s = selectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}
