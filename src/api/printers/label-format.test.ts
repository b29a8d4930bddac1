import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabels, formatLabelSelector, labelSelectorAsSelectorString } from './label-format.js';

test('formatLabels sorts keys and prints <none> when empty', () => {
  assert.equal(formatLabels({ tier: 'front', app: 'web' }), 'app=web,tier=front');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('formatLabelSelector renders matchLabels and matchExpressions like labels.Selector.String()', () => {
  assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(
    formatLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
      ],
    }),
    'app=web,!canary,env notin (prod),tier in (a,b),zone',
  );
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), '<error>');
});

test('labelSelectorAsSelectorString: empty is "", invalid is <invalid>', () => {
  assert.equal(labelSelectorAsSelectorString({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(labelSelectorAsSelectorString({}), '');
  assert.equal(labelSelectorAsSelectorString({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), '<invalid>');
});
