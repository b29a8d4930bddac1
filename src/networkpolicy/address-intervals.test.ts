import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intervalElements, ipBlockIntervals, normalizeIntervals } from './address-intervals.js';

test('ipBlock: cidr minus its excepts', () => {
  assert.deepEqual(intervalElements(ipBlockIntervals({ cidr: '10.244.0.0/16', except: ['10.244.1.0/24', '10.244.2.3/32'] })), [
    '10.244.0.0-10.244.0.255',
    '10.244.2.0-10.244.2.2',
    '10.244.2.4-10.244.255.255',
  ]);
  assert.deepEqual(intervalElements(ipBlockIntervals({ cidr: '10.0.0.5/32', except: ['10.0.0.0/24'] })), []);
  assert.deepEqual(intervalElements(ipBlockIntervals({ cidr: '0.0.0.0/0' })), ['0.0.0.0-255.255.255.255']);
});

test('intervals merge when they overlap or touch', () => {
  assert.deepEqual(normalizeIntervals([[5, 9], [1, 3], [4, 4], [20, 30], [25, 26]]), [[1, 9], [20, 30]]);
});
