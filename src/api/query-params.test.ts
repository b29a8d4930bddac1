import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourceVersion, queryBool, queryInt64 } from './query-params.js';
import { ApiError } from './errors.js';

const q = (s: string) => new URLSearchParams(s);

test('booleans convert as Convert_Slice_string_To_bool: only absent, false and 0 are false', () => {
  for (const v of ['true', 'True', 'TRUE', '1', 't', 'T', 'yes', '']) assert.equal(queryBool(q(`watch=${v}`), 'watch'), true, v);
  for (const v of ['false', 'False', 'FALSE', '0']) assert.equal(queryBool(q(`watch=${v}`), 'watch'), false, v);
  assert.equal(queryBool(q(''), 'watch'), false);
});

test('integers parse as strconv.ParseInt and report its error as 400', () => {
  assert.equal(queryInt64(q('limit=500'), 'limit'), 500);
  assert.equal(queryInt64(q('limit=-1'), 'limit'), -1);
  assert.equal(queryInt64(q(''), 'limit'), undefined);
  assert.throws(() => queryInt64(q('limit=abc'), 'limit'), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'strconv.ParseInt: parsing "abc": invalid syntax');
  assert.throws(() => queryInt64(q('limit=1.5'), 'limit'), /invalid syntax/);
  assert.throws(() => queryInt64(q('limit=99999999999999999999'), 'limit'), /value out of range/);
});

test('resource versions parse as ParseResourceVersion', () => {
  assert.equal(parseResourceVersion(''), 0);
  assert.equal(parseResourceVersion('0'), 0);
  assert.equal(parseResourceVersion('42'), 42);
  assert.throws(
    () => parseResourceVersion('garbage'),
    (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'resourceVersion: Invalid value: "garbage": strconv.ParseUint: parsing "garbage": invalid syntax',
  );
  assert.throws(() => parseResourceVersion('-1'), /invalid syntax/);
});
