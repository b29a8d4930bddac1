import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from './buffer-pool.js';

test('after a storm the pool keeps what the last period needed, then shrinks back to a few buffers', () => {
  const pool = new BufferPool(1024, 1024, 16);
  const storm = Array.from({ length: 3000 }, () => pool.acquire());
  for (const b of storm) pool.release(b);
  assert.deepEqual(pool.stats, { inUse: 0, free: 1024 });
  // The first housekeeping after the storm: the peak was just now, keep the capped free list.
  assert.equal(pool.shrink(), 3000);
  assert.equal(pool.stats.free, 1024);
  // A quiet period: down to minFree.
  assert.equal(pool.shrink(), 0);
  assert.deepEqual(pool.stats, { inUse: 0, free: 16 });
});

test('steady load keeps the buffers it keeps reusing', () => {
  const pool = new BufferPool(1024, 1024, 4);
  for (let round = 0; round < 3; round++) {
    const held = Array.from({ length: 50 }, () => pool.acquire());
    for (const b of held) pool.release(b);
    pool.shrink();
    assert.equal(pool.stats.free, 50);
  }
  // Reused: the pool handed out the same buffers, no new ones.
  const a = pool.acquire();
  pool.release(a);
  assert.equal(pool.acquire(), a);
});
