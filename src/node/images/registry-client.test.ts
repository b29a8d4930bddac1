import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuthenticate } from './registry-client.js';

test('WWW-Authenticate challenges as registries send them', () => {
  assert.deepEqual(parseAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
  ]);
  assert.deepEqual(parseAuthenticate('Bearer realm="https://r/token",service="s",scope="repository:a:pull",error="insufficient_scope"')[0].params.error, 'insufficient_scope');
  assert.deepEqual(parseAuthenticate('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  // Two challenges in one header, and over two headers; unquoted values; escaped quotes.
  assert.deepEqual(
    parseAuthenticate(['Basic realm="a, b", Bearer realm=https://t/token , service=x', 'Bearer realm="q\\"uote"']).map((c) => [c.scheme, c.params]),
    [
      ['basic', { realm: 'a, b' }],
      ['bearer', { realm: 'https://t/token', service: 'x' }],
      ['bearer', { realm: 'q"uote' }],
    ],
  );
  assert.deepEqual(parseAuthenticate(undefined), []);
});
