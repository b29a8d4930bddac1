import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessLogLine } from './access-log.js';

test('a proxied request logs in ingress-nginx\'s default shape', () => {
  const line = accessLogLine({
    clientAddress: '::ffff:10.0.0.1',
    time: new Date('2026-12-08T00:01:02Z'),
    method: 'GET',
    target: '/app?x=1',
    httpVersion: '1.1',
    status: 200,
    bytesSent: 12,
    userAgent: 'curl/8.5.0',
    requestLength: 0,
    durationMs: 2,
    backend: 'default/web:80',
    upstream: '10.244.1.5:8080',
    upstreamStatus: 200,
  });
  assert.equal(line, '10.0.0.1 - - [08/Dec/2026:00:01:02 +0000] "GET /app?x=1 HTTP/1.1" 200 12 "-" "curl/8.5.0" 0 0.002 [default/web:80] 10.244.1.5:8080 200');
});

test('quotes inside logged values are escaped as nginx does', () => {
  const line = accessLogLine({ clientAddress: '10.0.0.1', time: new Date(0), method: 'GET', target: '/', httpVersion: '1.1', status: 404, bytesSent: 0, userAgent: 'a"b', requestLength: 0, durationMs: 0 });
  assert.match(line, /"a\\x22b" 0 0\.000 \[-\] - -$/);
});
