// Host rules as conformance host_rules.feature checks them, and how request hosts are read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostMatches, normalizeRequestHost } from './host-match.js';

test('a precise host matches only itself', () => {
  assert.equal(hostMatches('foo.bar.com', 'foo.bar.com'), true);
  assert.equal(hostMatches('foo.bar.com', 'subdomain.bar.com'), false);
});

test('a wildcard covers exactly one label', () => {
  assert.equal(hostMatches('*.foo.com', 'bar.foo.com'), true);
  assert.equal(hostMatches('*.foo.com', 'baz.bar.foo.com'), false);
  assert.equal(hostMatches('*.foo.com', 'foo.com'), false);
  assert.equal(hostMatches('*.foo.com', '.foo.com'), false);
});

test('hosts compare without case, port or trailing dot', () => {
  assert.equal(hostMatches('foo.bar.com', 'FOO.Bar.com:8080'), true);
  assert.equal(hostMatches('*.foo.com', 'Bar.foo.com.'), true);
  assert.equal(normalizeRequestHost('[::1]:443'), '[::1]');
  assert.equal(normalizeRequestHost(undefined), '');
});
