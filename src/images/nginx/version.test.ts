import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nginxVersionForTag, NGINX_MAINLINE, NGINX_STABLE } from './version.js';
import { welcomePage } from './html.js';

test('image tags map to the nginx release Docker Hub ships under them', () => {
  const cases: Array<[string | undefined, string]> = [
    ['1.26-alpine', '1.26.3'],
    ['1.27-alpine', '1.27.5'],
    ['1.25', '1.25.5'],
    ['1.27.4', '1.27.4'],
    ['1.26.1-alpine-slim', '1.26.1'],
    ['1.28-bookworm-perl', '1.28.3'],
    ['1.99-alpine', '1.99.0'],
    ['latest', NGINX_MAINLINE],
    [undefined, NGINX_MAINLINE],
    ['alpine', NGINX_MAINLINE],
    ['mainline-alpine', NGINX_MAINLINE],
    ['1', NGINX_MAINLINE],
    ['stable', NGINX_STABLE],
    ['stable-alpine-perl', NGINX_STABLE],
  ];
  for (const [tag, want] of cases) assert.equal(nginxVersionForTag(tag), want, `tag ${tag}`);
});

test('the welcome page is 615 bytes up to 1.29.5 and the rewritten one from 1.29.6', () => {
  assert.equal(Buffer.byteLength(welcomePage('1.26.3')), 615);
  assert.equal(Buffer.byteLength(welcomePage('1.29.5')), 615);
  assert.equal(Buffer.byteLength(welcomePage('1.29.6')), 896);
  assert.match(welcomePage('1.31.4'), /f5\.com\/nginx/);
});
