import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareResourceVersions, maxResourceVersion, resourceVersionAtLeast } from './resource-version.js';

test('revisions compare as numbers, not strings; empty is below all', () => {
  assert.ok(resourceVersionAtLeast('100', '99'));
  assert.ok(!resourceVersionAtLeast('99', '100'));
  assert.ok(resourceVersionAtLeast('7', '7'));
  assert.ok(resourceVersionAtLeast('1', ''));
  assert.ok(!resourceVersionAtLeast('', '1'));
  assert.ok(resourceVersionAtLeast(undefined, undefined));
  assert.equal(compareResourceVersions('007', '7'), 0);
  assert.equal(maxResourceVersion('99', '100'), '100');
  assert.equal(maxResourceVersion('', '5'), '5');
  assert.equal(maxResourceVersion('12345678901234567890', '9'), '12345678901234567890');
});
