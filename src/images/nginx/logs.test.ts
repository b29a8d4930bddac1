import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessLogLine, errorLogTime, escapeLogValue, timeLocal } from './logs.js';

const T = Date.UTC(2026, 10, 26, 2, 16, 28);

test('time formats of the access and error logs', () => {
  assert.equal(timeLocal(T), '26/Nov/2026:02:16:28 +0000');
  assert.equal(errorLogTime(T), '2026/11/26 02:16:28');
});

test('access log line in the docker image main format', () => {
  assert.equal(
    accessLogLine({ remoteAddr: '127.0.0.1', timeMs: T, request: 'GET / HTTP/1.1', status: 200, bodyBytesSent: 615, userAgent: 'curl/8.5.0' }),
    '127.0.0.1 - - [26/Nov/2026:02:16:28 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" "-"',
  );
});

test('log values escape quotes, backslashes and non-printable bytes as \\xHH', () => {
  assert.equal(escapeLogValue('a"b\\c\x01d\xe9'), 'a\\x22b\\x5Cc\\x01d\\xE9');
  assert.equal(escapeLogValue('plain'), 'plain');
});
