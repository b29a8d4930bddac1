import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestTarget } from './request-uri.js';

test('request targets normalize like nginx (decode, merge slashes, dot segments)', () => {
  assert.deepEqual(parseRequestTarget('/'), { uri: '/', args: '' });
  assert.deepEqual(parseRequestTarget('/a//b/./c?x=1&y'), { uri: '/a/b/c', args: 'x=1&y' });
  assert.deepEqual(parseRequestTarget('/a/b/../'), { uri: '/a/', args: '' });
  assert.deepEqual(parseRequestTarget('/a/..'), { uri: '/', args: '' });
  assert.deepEqual(parseRequestTarget('/%69ndex.html'), { uri: '/index.html', args: '' });
  assert.deepEqual(parseRequestTarget('http://host:8080/x?q'), { uri: '/x', args: 'q' });
  assert.equal(parseRequestTarget('/../etc/passwd'), null);
  assert.equal(parseRequestTarget('/%2e%2e/x'), null);
  assert.equal(parseRequestTarget('/a%00b'), null);
  assert.equal(parseRequestTarget('*'), null);
});
