import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thrownBy } from '../../testing/thrown.js';
import { parseCIDR } from '../../api/ipv4.js';
import { AllocationError, ClusterIPAllocator, serviceIPByIndex } from './clusterip-allocator.js';

const allocErr = (fn: () => unknown) => thrownBy(fn, AllocationError);

test('default range and exact error texts', () => {
  const a = new ClusterIPAllocator();
  assert.equal(a.cidr, '10.96.0.0/12');
  const out = allocErr(() => a.allocate('1.1.1.1'));
  assert.equal(out.kind, 'OutOfRange');
  assert.equal(out.detail, 'failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
  a.allocate('10.96.0.5');
  const dup = allocErr(() => a.allocate('10.96.0.5'));
  assert.equal(dup.kind, 'Allocated');
  assert.equal(dup.detail, 'failed to allocate IP 10.96.0.5: provided IP is already allocated');
  assert.equal(allocErr(() => a.allocate('nonsense')).kind, 'Invalid');
});

test('network and broadcast addresses are excluded', () => {
  const a = new ClusterIPAllocator('10.0.0.0/29');
  assert.equal(a.contains('10.0.0.0'), false);
  assert.equal(a.contains('10.0.0.7'), false);
  assert.equal(a.contains('10.0.0.1'), true);
  assert.equal(a.contains('10.0.0.6'), true);
  assert.equal(allocErr(() => a.allocate('10.0.0.0')).kind, 'OutOfRange');
  const got = new Set<string>();
  for (let i = 0; i < 6; i++) got.add(a.allocateNext());
  assert.deepEqual([...got].sort(), ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
  const full = allocErr(() => a.allocateNext());
  assert.equal(full.kind, 'Full');
  assert.equal(full.detail, 'range is full');
  a.release('10.0.0.3');
  assert.equal(a.has('10.0.0.3'), false);
  assert.equal(a.allocateNext(), '10.0.0.3');
  assert.equal(a.used(), 6);
});

test('dynamic allocation avoids the static band (first 256 addresses of a /12)', () => {
  const a = new ClusterIPAllocator('10.96.0.0/12', () => 0);
  assert.equal(a.staticBand, 256);
  // offset 256 from 10.96.0.1 is 10.96.1.1: the first address of the dynamic band.
  assert.equal(a.allocateNext(), '10.96.1.1');
  const b = new ClusterIPAllocator('10.0.0.0/24', () => 0);
  assert.equal(b.staticBand, 16);
  assert.equal(b.allocateNext(), '10.0.0.17');
});

test('dynamic band full falls back to the static band', () => {
  const a = new ClusterIPAllocator('10.0.0.0/24', () => 0);
  for (let i = 0; i < 254 - 16; i++) a.allocateNext();
  assert.equal(a.allocateNext(), '10.0.0.1');
});

test('serviceIPByIndex and CIDR parsing', () => {
  assert.equal(serviceIPByIndex('10.96.0.0/12', 1), '10.96.0.1');
  assert.equal(serviceIPByIndex('10.96.0.0/12', 10), '10.96.0.10');
  assert.equal(parseCIDR('10.96.3.4/12').text, '10.96.0.0/12');
  assert.throws(() => parseCIDR('10.96.0.0/33'), /invalid CIDR address/);
  assert.throws(() => serviceIPByIndex('10.0.0.0/30', 4), /subnet too small/);
});
