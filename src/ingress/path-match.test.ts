// The rows of the Ingress spec's path matching table (kubernetes.io, Concepts → Ingress →
// Examples), one assertion each, plus precedence among several matching paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePathMatchers, pathMatcher, pathMatches, requestPathOf } from './path-match.js';

const rows: [type: string, path: string, request: string, matches: boolean][] = [
  ['Prefix', '/', '/anything/at/all', true],
  ['Exact', '/foo', '/foo', true],
  ['Exact', '/foo', '/bar', false],
  ['Exact', '/foo', '/foo/', false],
  ['Exact', '/foo/', '/foo', false],
  ['Prefix', '/foo', '/foo', true],
  ['Prefix', '/foo', '/foo/', true],
  ['Prefix', '/foo/', '/foo', true],
  ['Prefix', '/foo/', '/foo/', true],
  ['Prefix', '/aaa/bb', '/aaa/bbb', false],
  ['Prefix', '/aaa/bbb', '/aaa/bbb', true],
  ['Prefix', '/aaa/bbb/', '/aaa/bbb', true],
  ['Prefix', '/aaa/bbb', '/aaa/bbb/', true],
  ['Prefix', '/aaa/bbb', '/aaa/bbb/ccc', true],
  ['Prefix', '/aaa/bbb', '/aaa/bbbxyz', false],
  ['Prefix', '/aaa', '/ccc', false],
  ['Prefix', '/foo', '/FOO', false],
  ['Exact', '/foo', '/FOO', false],
  // ImplementationSpecific is kanzen's Prefix.
  ['ImplementationSpecific', '/foo', '/foo/bar', true],
  ['ImplementationSpecific', '/foo', '/foobar', false],
];

for (const [type, path, request, matches] of rows) {
  test(`${type} ${path} ${matches ? 'matches' : 'does not match'} ${request}`, () => {
    assert.equal(pathMatches(pathMatcher(path, type), request), matches);
  });
}

function winner(paths: [string, string][], request: string): string | undefined {
  const ms = paths.map(([type, path]) => ({ m: pathMatcher(path, type), label: `${type} ${path}` }));
  ms.sort((a, b) => comparePathMatchers(a.m, b.m));
  return ms.find((x) => pathMatches(x.m, request))?.label;
}

test('the longest matching path wins (table rows with several paths)', () => {
  assert.equal(winner([['Prefix', '/'], ['Prefix', '/aaa']], '/aaa/ccc'), 'Prefix /aaa');
  assert.equal(winner([['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], '/aaa/bbb'), 'Prefix /aaa/bbb');
  assert.equal(winner([['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], '/ccc'), 'Prefix /');
});

test('at equal length Exact is preferred over Prefix, whatever the order given', () => {
  assert.equal(winner([['Prefix', '/foo'], ['Exact', '/foo']], '/foo'), 'Exact /foo');
  assert.equal(winner([['Exact', '/foo'], ['Prefix', '/foo']], '/foo'), 'Exact /foo');
  assert.equal(winner([['Prefix', '/foo'], ['Exact', '/foo']], '/foo/x'), 'Prefix /foo');
});

test('a request target is matched by its path alone', () => {
  assert.equal(requestPathOf('/foo?x=1'), '/foo');
  assert.equal(requestPathOf('/foo#frag'), '/foo');
  assert.equal(requestPathOf('/a/b/'), '/a/b/');
  assert.equal(requestPathOf(''), '/');
});
