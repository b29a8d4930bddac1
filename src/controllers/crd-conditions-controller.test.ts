// The naming and establishing passes: names accepted when free in the group, Installing then
// Established, a clash reported as upstream's naming controller reports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomResourceDefinition } from '../api/types.js';
import { namesAndConditions } from './crd-conditions-controller.js';

const crd = (name: string, plural: string, kind: string): CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${name}.example.com` },
  spec: { group: 'example.com', scope: 'Namespaced', names: { plural, singular: plural.replace(/s$/, ''), kind, listKind: `${kind}List` }, versions: [] },
});

test('first pass accepts the names and leaves Established Installing; the next establishes', () => {
  const c = crd('widgets', 'widgets', 'Widget');
  const first = namesAndConditions(c, [c]);
  assert.deepEqual(first.names, { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' });
  assert.deepEqual(first.conditions, [
    { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
    { type: 'Established', status: 'False', reason: 'Installing', message: 'the initial names have been accepted' },
  ]);
  c.status = { acceptedNames: first.names, conditions: first.conditions.map((x) => ({ ...x, lastTransitionTime: 'T' })) };
  assert.deepEqual(namesAndConditions(c, [c]).conditions[1], { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
});

test('a plural another CRD of the group holds is refused', () => {
  const a = crd('widgets', 'widgets', 'Widget');
  a.status = { acceptedNames: { plural: 'widgets', kind: 'Widget' } };
  const b = crd('gadgets', 'widgets', 'Gadget');
  const r = namesAndConditions(b, [a, b]);
  assert.deepEqual(r.conditions, [
    { type: 'NamesAccepted', status: 'False', reason: 'PluralConflict', message: '"widgets" is already in use' },
    { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' },
  ]);
  assert.equal(r.names.plural, '');
  assert.equal(r.names.kind, 'Gadget');
});
