import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeCelPropertyName } from './cel-escaping.js';

test('property names as CEL spells them (upstream escaping.go)', () => {
  assert.equal(escapeCelPropertyName('name'), 'name');
  assert.equal(escapeCelPropertyName('namespace'), '__namespace__');
  assert.equal(escapeCelPropertyName('in'), '__in__');
  assert.equal(escapeCelPropertyName('a-b.c/d'), 'a__dash__b__dot__c__slash__d');
  assert.equal(escapeCelPropertyName('x__y'), 'x__underscores__y');
  assert.equal(escapeCelPropertyName('1a'), undefined);
  assert.equal(escapeCelPropertyName('a:b'), undefined);
  assert.equal(escapeCelPropertyName(''), undefined);
});
