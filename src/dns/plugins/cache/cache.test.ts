import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache, cacheTtl, type CacheConfig } from './cache.js';
import { Type, type RR } from '../../wire.js';
import type { DnsAnswer } from '../../plugin.js';

const cfg: CacheConfig = { zones: ['.'], success: { capacity: 2, maxTtl: 3600, minTtl: 5 }, denial: { capacity: 2, maxTtl: 1800, minTtl: 5 } };
const a = (ttl: number): RR => ({ name: 'x.', type: Type.A, class: 1, ttl, data: { type: Type.A, address: '1.2.3.4' } });
const soa = (ttl: number, min: number): RR => ({ name: '.', type: Type.SOA, class: 1, ttl, data: { type: Type.SOA, mname: 'a.', rname: 'b.', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: min } });
const ans = (rcode: number, answer: RR[], authority: RR[] = []): DnsAnswer => ({ rcode, aa: true, ra: false, answer, authority, additional: [], plugin: 'k' });

test('cache: TTL is the smallest record TTL clamped to [min, max]; denial uses the SOA', () => {
  assert.deepEqual(cacheTtl(ans(0, [a(30), a(10)]), cfg), { ttl: 10, kind: 'success' });
  assert.deepEqual(cacheTtl(ans(0, [a(1)]), cfg), { ttl: 5, kind: 'success' });
  assert.deepEqual(cacheTtl(ans(0, [a(99999)]), cfg), { ttl: 3600, kind: 'success' });
  assert.deepEqual(cacheTtl(ans(3, [], [soa(300, 60)]), cfg), { ttl: 60, kind: 'denial' });
  assert.deepEqual(cacheTtl(ans(0, [], [soa(30, 30)]), cfg), { ttl: 30, kind: 'denial' });
  assert.equal(cacheTtl(ans(2, []), cfg), null);
});

test('cache: entries expire and capacity evicts the oldest', () => {
  const c = new AnswerCache(cfg);
  c.set('a', ans(0, [a(10)]), 0);
  assert.equal(c.get('a', 9_999)?.answer.plugin, 'cache');
  assert.equal(c.get('a', 10_000), undefined);
  c.set('1', ans(0, [a(10)]), 0);
  c.set('2', ans(0, [a(10)]), 0);
  c.set('3', ans(0, [a(10)]), 0);
  assert.equal(c.get('1', 1), undefined);
  assert.equal(c.size('success'), 2);
});
