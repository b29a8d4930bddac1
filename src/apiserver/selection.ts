// Label and field selection of objects for list, watch and deletecollection.
import type { KubeObject } from '../api/types.js';
import { matchLabels, parseLabelSelector, type LabelRequirement } from '../api/labels.js';
import { convertFieldSelector, matchFields, objectFields, parseFieldSelector, type FieldRequirement, type FieldSelectors } from '../api/fields.js';

export interface Selectors {
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
}

/** Parses ?labelSelector and ?fieldSelector, converting field labels as the resource declares. */
export function parseSelectors(fields: FieldSelectors, labelSelector: string | null, fieldSelector: string | null): Selectors {
  const sel: Selectors = {};
  if (labelSelector) sel.labelSelector = parseLabelSelector(labelSelector);
  if (fieldSelector) sel.fieldSelector = convertFieldSelector(fields, parseFieldSelector(fieldSelector));
  return sel;
}

/** objFields lets a caller that matches one object against many selectors (watch fan-out) derive its field set once. */
export function matchesSelectors(
  fields: FieldSelectors,
  namespaced: boolean,
  obj: KubeObject,
  sel: Selectors,
  objFields: () => Record<string, string> = () => objectFields(fields, obj, namespaced),
): boolean {
  if (sel.labelSelector && sel.labelSelector.length && !matchLabels(sel.labelSelector, obj.metadata.labels)) return false;
  if (sel.fieldSelector && sel.fieldSelector.length && !matchFields(sel.fieldSelector, objFields())) return false;
  return true;
}
