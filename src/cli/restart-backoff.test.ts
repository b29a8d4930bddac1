import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBackoff } from './restart-backoff.js';

test('a crash loop backs off (at once, then doubling to the cap); a long run resets it', () => {
  const b = new RestartBackoff({ initialMs: 100, maxMs: 1000, resetAfterMs: 60_000 });
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(() => b.delayAfter(10)), [0, 100, 200, 400, 800, 1000, 1000]);
  assert.equal(b.delayAfter(60_000), 0);
  assert.equal(b.delayAfter(5), 100);
});
