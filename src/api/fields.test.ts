import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import {
  fieldSelectorString,
  matchFields,
  parseFieldSelector,
} from './fields.js';

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail('expected an error');
}

test('operators and comma-joined terms', () => {
  const f = { 'metadata.name': 'web', 'status.phase': 'Running' };
  assert.ok(matchFields(parseFieldSelector('metadata.name=web'), f));
  assert.ok(matchFields(parseFieldSelector('metadata.name==web'), f));
  assert.ok(!matchFields(parseFieldSelector('metadata.name!=web'), f));
  assert.ok(matchFields(parseFieldSelector('metadata.name=web,status.phase=Running'), f));
  assert.ok(!matchFields(parseFieldSelector('metadata.name=web,status.phase!=Running'), f));
  assert.ok(matchFields(parseFieldSelector('spec.nodeName='), f), 'absent fields read as ""');
  assert.deepEqual(parseFieldSelector('a==b')[0], { field: 'a', operator: '=', value: 'b' });
  assert.deepEqual(parseFieldSelector(''), []);
  assert.deepEqual(parseFieldSelector('a=b,,c=d').map((r) => r.field), ['a', 'c']);
});

test('backslash escapes', () => {
  assert.equal(parseFieldSelector('a=x\\,y\\=z\\\\')[0].value, 'x,y=z\\');
  assert.equal(fieldSelectorString(parseFieldSelector('a=x\\,y')), 'a=x\\,y');
});

test('parse errors as upstream', () => {
  assert.equal(badRequest(() => parseFieldSelector('metadata.name')), "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  assert.equal(badRequest(() => parseFieldSelector('a=b=c')), 'invalid field selector: unescaped character in value: 61');
  assert.equal(badRequest(() => parseFieldSelector('a=b\\x')), 'invalid field selector: invalid escape sequence: \\x');
  assert.equal(badRequest(() => parseFieldSelector('a=b\\')), 'invalid field selector: invalid escape sequence: \\');
});
