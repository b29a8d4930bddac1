import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HTTPRoute, HTTPRouteRule } from './gateway-types.js';
import { intersectHostnames, pathMatches, pickWeighted, rankMatches, requestMatches, selectMatch, type MatchRequest } from './httproute-match.js';

const req = (host: string, target: string, headers: Record<string, string> = {}, method = 'GET'): MatchRequest => {
  const u = new URL(target, 'http://x');
  return { host, path: u.pathname, method, headers, query: u.searchParams };
};

const route = (name: string, created: string, rules: HTTPRouteRule[], hostnames?: string[]): HTTPRoute => ({
  metadata: { name, namespace: 'default', creationTimestamp: created },
  spec: { hostnames, rules },
});

test('hostnames: the intersection of the listener’s and the route’s', () => {
  assert.deepEqual(intersectHostnames(undefined, undefined), ['']);
  assert.deepEqual(intersectHostnames('*.example.com', undefined), ['*.example.com']);
  assert.deepEqual(intersectHostnames(undefined, ['Foo.example.com']), ['foo.example.com']);
  assert.deepEqual(intersectHostnames('*.example.com', ['foo.example.com', 'example.com', 'foo.other.com']), ['foo.example.com']);
  assert.deepEqual(intersectHostnames('foo.example.com', ['*.example.com']), ['foo.example.com']);
  assert.deepEqual(intersectHostnames('foo.example.com', ['bar.example.com']), []);
});

test('paths: Exact, PathPrefix by element, RegularExpression anchored', () => {
  assert.equal(pathMatches({ type: 'Exact', value: '/a' }, '/a'), true);
  assert.equal(pathMatches({ type: 'Exact', value: '/a' }, '/a/'), false);
  assert.equal(pathMatches({ type: 'PathPrefix', value: '/a' }, '/a/b'), true);
  assert.equal(pathMatches({ type: 'PathPrefix', value: '/a/' }, '/a'), true);
  assert.equal(pathMatches({ type: 'PathPrefix', value: '/a' }, '/ab'), false);
  assert.equal(pathMatches(undefined, '/anything'), true);
  assert.equal(pathMatches({ type: 'RegularExpression', value: '/v[0-9]+' }, '/v12'), true);
  assert.equal(pathMatches({ type: 'RegularExpression', value: '/v[0-9]+' }, '/v12/x'), false);
});

test('headers, method and query params must all match', () => {
  const m = { path: { type: 'PathPrefix' as const, value: '/' }, method: 'POST', headers: [{ name: 'Env', value: 'canary' }], queryParams: [{ name: 'v', value: '2' }] };
  assert.equal(requestMatches(m, req('h', '/?v=2', { env: 'canary' }, 'POST')), true);
  assert.equal(requestMatches(m, req('h', '/?v=2', { env: 'canary' }, 'GET')), false);
  assert.equal(requestMatches(m, req('h', '/?v=3', { env: 'canary' }, 'POST')), false);
  assert.equal(requestMatches(m, req('h', '/?v=2', {}, 'POST')), false);
});

test('precedence: precise host, Exact path, longest prefix, method, headers, query, oldest route', () => {
  const old = route('old', '2026-01-01T00:00:00Z', [{ name: 'prefix', matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
  const newer = route('newer', '2026-02-01T00:00:00Z', [
    { name: 'same-prefix', matches: [{ path: { type: 'PathPrefix', value: '/' } }] },
    { name: 'long', matches: [{ path: { type: 'PathPrefix', value: '/api' } }] },
    { name: 'exact', matches: [{ path: { type: 'Exact', value: '/api' } }] },
    { name: 'header', matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'env', value: 'canary' }] }] },
    { name: 'method', matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }] },
  ]);
  const wild = route('wild', '2025-01-01T00:00:00Z', [{ name: 'wild' }], ['*.example.com']);
  const precise = route('precise', '2026-03-01T00:00:00Z', [{ name: 'precise', matches: [{ path: { type: 'PathPrefix', value: '/p' } }] }], ['a.example.com']);
  const ranked = rankMatches([old, newer, wild, precise].map((r) => ({ route: r, hostnames: intersectHostnames(undefined, r.spec.hostnames) })));
  const pick = (host: string, target: string, headers: Record<string, string> = {}, method = 'GET') => selectMatch(ranked, req(host, target, headers, method))?.rule.name;
  assert.equal(pick('h', '/x'), 'prefix');
  assert.equal(pick('h', '/api'), 'exact');
  assert.equal(pick('h', '/api/x'), 'long');
  assert.equal(pick('h', '/api/x', {}, 'POST'), 'method');
  assert.equal(pick('h', '/api/x', { env: 'canary' }), 'header');
  assert.equal(pick('b.example.com', '/x'), 'wild');
  assert.equal(pick('a.example.com', '/p/1'), 'precise');
  assert.equal(pick('a.example.com', '/x'), 'wild');
});

test('weighted backends: proportions by weight, weight 0 never, all zero none', () => {
  const counts = [0, 0, 0];
  for (let i = 0; i < 100; i++) counts[pickWeighted([90, 10, 0], () => i / 100)!]++;
  assert.deepEqual(counts, [90, 10, 0]);
  assert.equal(pickWeighted([undefined, undefined], () => 0.6), 1);
  assert.equal(pickWeighted([0, 0]), undefined);
  assert.equal(pickWeighted([0, 5], () => 0.9999999), 1);
});
