import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newBalancer } from './balancer.js';
import { ClientIPAffinity } from './session-affinity.js';

const eps = (...active: number[]) => active.map((a, i) => ({ name: `e${i}`, active: a }));

test('round robin keeps the endpoints order and wraps when the list shrinks', () => {
  const b = newBalancer('round-robin');
  const list = eps(0, 0, 0);
  assert.deepEqual([1, 2, 3, 4].map(() => b.pick(list).name), ['e0', 'e1', 'e2', 'e0']);
  const two = eps(0, 0);
  assert.deepEqual([1, 2, 3].map(() => b.pick(two).name), ['e1', 'e0', 'e1']);
});

test('random uses the injected source', () => {
  const seq = [0.9, 0.1, 0.5];
  const b = newBalancer('random', () => seq.shift()!);
  const list = eps(0, 0, 0);
  assert.deepEqual([1, 2, 3].map(() => b.pick(list).name), ['e2', 'e0', 'e1']);
});

test('least connections picks the fewest, rotating among ties', () => {
  const b = newBalancer('least-connections');
  assert.equal(b.pick(eps(3, 1, 2)).name, 'e1');
  const idle = eps(0, 0, 0);
  assert.deepEqual([1, 2, 3].map(() => b.pick(idle).name), ['e1', 'e2', 'e0']);
});

test('ClientIP affinity: refreshed on use, expires after the timeout, dropped when the endpoint is no longer eligible', () => {
  let now = 0;
  const a = new ClientIPAffinity<string>(1000, () => now);
  a.record('1.1.1.1', 'x');
  now = 900;
  assert.equal(a.lookup('1.1.1.1', ['x', 'y']), 'x');
  now = 1800;
  assert.equal(a.lookup('1.1.1.1', ['x', 'y']), 'x');
  now = 2801;
  assert.equal(a.lookup('1.1.1.1', ['x', 'y']), undefined);
  a.record('2.2.2.2', 'y');
  assert.equal(a.lookup('2.2.2.2', ['x']), undefined);
  a.record('3.3.3.3', 'x');
  now = 10_000;
  a.sweep();
  assert.equal(a.size, 0);
});
