import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thrownBy } from '../../testing/thrown.js';
import { AllocationError, NodePortAllocator, parsePortRange } from './nodeport-allocator.js';

const allocErr = (fn: () => unknown) => thrownBy(fn, AllocationError);

test('exact error texts', () => {
  const a = new NodePortAllocator();
  assert.equal(a.portRange, '30000-32767');
  const out = allocErr(() => a.allocate(8080));
  assert.equal(out.kind, 'OutOfRange');
  assert.equal(out.detail, 'provided port is not in the valid range. The range of valid ports is 30000-32767');
  a.allocate(30080);
  const dup = allocErr(() => a.allocate(30080));
  assert.equal(dup.detail, 'provided port is already allocated');
  assert.equal(a.has(30080), true);
  a.release(30080);
  assert.equal(a.has(30080), false);
});

test('static band 30000-30085 is avoided by dynamic allocation', () => {
  const a = new NodePortAllocator('30000-32767', () => 0);
  assert.equal(a.staticBand, 86);
  assert.equal(a.allocateNext(), 30086);
});

test('dynamic band full: fallback, then range is full', () => {
  const a = new NodePortAllocator('30000-30099', () => 0); // 100 ports → 16 static
  for (let i = 0; i < 84; i++) assert.ok(a.allocateNext() >= 30016);
  assert.equal(a.allocateNext(), 30000);
  for (let i = 0; i < 15; i++) a.allocateNext();
  const full = allocErr(() => a.allocateNext());
  assert.equal(full.kind, 'Full');
  assert.equal(full.detail, 'range is full');
  assert.equal(a.used(), 100);
});

test('--service-node-port-range syntax', () => {
  assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768 });
  assert.deepEqual(parsePortRange('30000+99'), { base: 30000, size: 100 });
  assert.deepEqual(parsePortRange('31000'), { base: 31000, size: 1 });
  assert.throws(() => parsePortRange('32767-30000'), /end port cannot be less than start port: 32767-30000/);
  assert.throws(() => parsePortRange('30000-70000'), /the port range cannot be greater than 65535/);
  assert.throws(() => parsePortRange('1-2+3'), /unable to parse port range: 1-2\+3/);
});
