import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modifyHeaders, redirectLocation } from './httproute-filters.js';

test('header modifier: set, add, remove (conformance httproute-request-header-modifier)', () => {
  const out = modifyHeaders({ 'x-a': '1', 'x-b': '2', 'x-c': '3' }, { set: [{ name: 'X-A', value: 'set' }], add: [{ name: 'X-B', value: 'added' }, { name: 'X-New', value: 'n' }], remove: ['X-C'] });
  assert.deepEqual(out, { 'x-a': 'set', 'x-b': '2,added', 'x-new': 'n' });
});

test('redirect: scheme, hostname, port, path and status code', () => {
  const req = { scheme: 'http' as const, host: 'example.com', port: 80, target: '/a/b?x=1' };
  assert.deepEqual(redirectLocation({}, req), { status: 302, location: 'http://example.com/a/b?x=1' });
  assert.deepEqual(redirectLocation({ scheme: 'https', statusCode: 301 }, req), { status: 301, location: 'https://example.com/a/b?x=1' });
  assert.deepEqual(redirectLocation({ hostname: 'other.com', port: 8080 }, req), { status: 302, location: 'http://other.com:8080/a/b?x=1' });
  assert.deepEqual(redirectLocation({ path: { type: 'ReplaceFullPath', replaceFullPath: '/new' } }, req).location, 'http://example.com/new?x=1');
  assert.deepEqual(redirectLocation({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/z' } }, req, { type: 'PathPrefix', value: '/a' }).location, 'http://example.com/z/b?x=1');
  assert.deepEqual(redirectLocation({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } }, { ...req, target: '/a' }, { type: 'PathPrefix', value: '/a' }).location, 'http://example.com/');
  assert.deepEqual(redirectLocation({}, { ...req, port: 8080 }).location, 'http://example.com:8080/a/b?x=1');
});
