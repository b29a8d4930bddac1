import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodIPAllocator } from './pod-ip-allocator.js';

test('the gateway is .1 and pods get .2 upward', () => {
  const a = new PodIPAllocator('10.244.1.0/24');
  assert.equal(a.cidr, '10.244.1.0/24');
  assert.equal(a.gateway, '10.244.1.1');
  assert.equal(a.capacity, 253);
  assert.equal(a.allocate('a'), '10.244.1.2');
  assert.equal(a.allocate('b'), '10.244.1.3');
  assert.equal(a.allocate('a'), '10.244.1.2', 'an owner keeps its address');
  assert.equal(a.ipOf('b'), '10.244.1.3');
  assert.equal(a.allocated, 2);
});

test('a released address is not handed out again until the range wraps', () => {
  const a = new PodIPAllocator('10.244.1.0/24');
  a.allocate('a');
  a.allocate('b');
  a.release('a');
  assert.equal(a.ipOf('a'), undefined);
  assert.equal(a.allocate('a2'), '10.244.1.4', 'a recreated pod gets a new IP');
});

test('allocation wraps around, skips addresses in use and reports a full range', () => {
  const a = new PodIPAllocator('10.0.0.0/29'); // .2 … .6 for pods
  assert.equal(a.capacity, 5);
  for (const o of ['a', 'b', 'c', 'd', 'e']) assert.ok(a.allocate(o));
  assert.equal(a.allocate('f'), undefined);
  a.release('b'); // .3
  a.release('d'); // .5
  assert.equal(a.allocate('f'), '10.0.0.3');
  assert.equal(a.allocate('g'), '10.0.0.5');
  assert.equal(a.allocate('h'), undefined);
  const all = ['a', 'c', 'e', 'f', 'g'].map((o) => a.ipOf(o));
  assert.equal(new Set(all).size, 5, 'no address is held twice');
});

test('reserve re-adopts addresses and resumes after the highest one', () => {
  const a = new PodIPAllocator('10.244.2.0/24');
  assert.equal(a.reserve('x', '10.244.2.7'), true);
  assert.equal(a.reserve('y', '10.244.2.3'), true);
  assert.equal(a.reserve('x', '10.244.2.7'), true, 'idempotent');
  assert.equal(a.reserve('z', '10.244.2.7'), false, 'held by another owner');
  assert.equal(a.reserve('z', '10.244.3.7'), false, 'outside the range');
  assert.equal(a.reserve('z', '10.244.2.1'), false, 'the gateway');
  assert.equal(a.reserve('z', '10.244.2.255'), false, 'the broadcast address');
  assert.equal(a.allocate('n'), '10.244.2.8');
  assert.equal(a.contains('10.244.2.254'), true);
  assert.equal(a.contains('10.244.2.0'), false);
});

test('ranges smaller than a /30 are refused', () => {
  assert.throws(() => new PodIPAllocator('10.0.0.0/31'), /too small/);
});
