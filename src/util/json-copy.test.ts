import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonCopy } from './json-copy.js';

test('jsonCopy gives what a JSON round trip gives', () => {
  const when = new Date('2026-01-02T03:04:05Z');
  const inner = { toJSON: () => undefined };
  const value = {
    s: 'x',
    n: 1.5,
    inf: Infinity,
    nan: NaN,
    b: false,
    nil: null,
    gone: undefined,
    fn: () => 1,
    sym: Symbol('s'),
    when,
    inner,
    list: [1, undefined, () => 2, { a: [{ b: 'c' }] }, NaN],
    nested: { metadata: { name: 'n', labels: { a: 'b' } } },
  };
  assert.deepEqual(jsonCopy(value), JSON.parse(JSON.stringify(value)));
  assert.equal(jsonCopy(undefined), undefined);
  assert.equal(jsonCopy('text'), 'text');
});

test('jsonCopy shares nothing with its source', () => {
  const src = { metadata: { labels: { a: 'b' } }, items: [{ x: 1 }] };
  const out = jsonCopy(src) as typeof src;
  out.metadata.labels.a = 'changed';
  out.items[0].x = 2;
  assert.equal(src.metadata.labels.a, 'b');
  assert.equal(src.items[0].x, 1);
});

test('jsonCopy refuses a BigInt as JSON.stringify does', () => {
  assert.throws(() => jsonCopy({ n: 1n }), TypeError);
});
