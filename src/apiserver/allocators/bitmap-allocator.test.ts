import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitmapAllocator, clusterIPStaticBand, nodePortStaticBand } from './bitmap-allocator.js';

test('band offsets follow KEP-3070 and KEP-3668', () => {
  assert.equal(clusterIPStaticBand(2 ** 20), 256); // /12
  assert.equal(clusterIPStaticBand(2 ** 8), 16); // /24
  assert.equal(clusterIPStaticBand(2 ** 12), 256); // /20: 4096/16
  assert.equal(clusterIPStaticBand(2 ** 11), 128); // /21
  assert.equal(clusterIPStaticBand(16), 0); // /28: no static band
  assert.equal(nodePortStaticBand(2768), 86); // 30000-32767 → 30000-30085
  assert.equal(nodePortStaticBand(100), 16);
  assert.equal(nodePortStaticBand(10000), 128);
  assert.equal(nodePortStaticBand(16), 0);
});

test('dynamic allocation fills the upper band first, then falls back', () => {
  const a = new BitmapAllocator(40, 16, () => 0);
  for (let i = 0; i < 24; i++) {
    const v = a.allocateNext();
    assert.ok(v !== undefined && v >= 16, `value ${v} should come from the dynamic band`);
  }
  assert.equal(a.used(), 24);
  const fallback = a.allocateNext();
  assert.ok(fallback !== undefined && fallback < 16, 'static band used once the dynamic band is full');
  for (let i = 0; i < 15; i++) assert.notEqual(a.allocateNext(), undefined);
  assert.equal(a.allocateNext(), undefined, 'full');
  a.release(3);
  assert.equal(a.allocateNext(), 3);
});

test('random start within the band, scanning past taken values', () => {
  const a = new BitmapAllocator(40, 16, (n) => n - 1);
  assert.equal(a.allocateNext(), 39);
  assert.equal(a.allocateNext(), 16, 'wraps around within the band');
});

test('specific values anywhere in range', () => {
  const a = new BitmapAllocator(10, 2);
  assert.equal(a.allocate(0), true);
  assert.equal(a.allocate(0), false);
  assert.equal(a.allocate(9), true);
  assert.ok(a.has(9));
  assert.throws(() => a.allocate(10), RangeError);
  assert.deepEqual([...a.allocated()], [0, 9]);
  a.release(0);
  a.release(0);
  assert.equal(a.used(), 1);
});
