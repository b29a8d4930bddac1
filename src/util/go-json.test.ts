import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJSON } from './go-json.js';

test("goJSON escapes as Go's encoding/json: <, >, &, U+2028, U+2029 inside strings", () => {
  assert.equal(goJSON({ command: ['sh', '-c', 'a && b > /tmp/x < /dev/null'] }), '{"command":["sh","-c","a \\u0026\\u0026 b \\u003e /tmp/x \\u003c /dev/null"]}');
  assert.equal(goJSON('line\u2028sep\u2029'), '"line\\u2028sep\\u2029"');
  assert.equal(JSON.parse(goJSON({ s: '<&>' })).s, '<&>');
  assert.equal(goJSON({ a: 1, b: [true, null] }), '{"a":1,"b":[true,null]}');
});
