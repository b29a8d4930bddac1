import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasField, rewriteHasSelections } from './cel-has-field.js';

test('presence tests cel-js accepts are left as written', () => {
  for (const s of ['has(self.a)', 'has(self.a.b) && x', "'has(self.m[0].p)'", 'self.has(x)']) assert.equal(rewriteHasSelections(s), s);
});

test('presence tests on an indexed or called operand become kanzen_has_field', () => {
  assert.equal(rewriteHasSelections('!has(self.matches[0].path) || x'), "!kanzen_has_field(self.matches[0], 'path') || x");
  assert.equal(rewriteHasSelections('has(self.m["a)"].p)'), `kanzen_has_field(self.m["a)"], 'p')`);
  assert.equal(rewriteHasSelections('has(f(self).b.c)'), "kanzen_has_field(f(self).b, 'c')");
});

test('hasField reads objects and maps', () => {
  assert.equal(hasField({ a: 1 }, 'a'), true);
  assert.equal(hasField({ a: 1 }, 'b'), false);
  assert.equal(hasField(new Map([['a', 1]]), 'a'), true);
  assert.equal(hasField(null, 'a'), false);
});
