import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claimant, claimFreePool, claimPool, defaultPools, releasePools } from './lb-pool-claims.js';

/** A claims folder and two cluster homes, each with a config writer as `up` has. */
function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-lb-claims-'));
  const claims = path.join(root, 'claims');
  const cluster = (name: string) => {
    const config = path.join(root, name, 'cluster.json');
    fs.mkdirSync(path.dirname(config));
    const write = (pool: string) => fs.writeFileSync(config, JSON.stringify({ name, lbPool: pool }));
    return { config, write, pool: () => (JSON.parse(fs.readFileSync(config, 'utf8')) as { lbPool: string }).lbPool };
  };
  return { root, claims, a: cluster('a'), b: cluster('b') };
}

test('a second cluster gets the next free range; each keeps its own when it comes back', () => {
  const { root, claims, a, b } = setup();
  assert.equal(claimFreePool(claims, defaultPools, a.config, a.write), '127.0.100.0/24');
  assert.equal(claimFreePool(claims, defaultPools, b.config, b.write), '127.0.101.0/24');
  assert.equal(b.pool(), '127.0.101.0/24');
  // Restarting (the stored range asked for again) is no conflict with itself.
  assert.equal(claimPool(claims, '127.0.100.0/24', a.config, a.write), true);
  assert.equal(claimPool(claims, '127.0.101.0/24', b.config, b.write), true);
  // Asking for another's range is refused and leaves its claim alone.
  assert.equal(claimPool(claims, '127.0.100.0/24', b.config, b.write), false);
  assert.equal(claimant(claims, '127.0.100.0/24'), a.config);
  fs.rmSync(root, { recursive: true });
});

test('down --purge frees the range; a home removed by hand leaves a stale claim that is taken over', () => {
  const { root, claims, a, b } = setup();
  claimFreePool(claims, defaultPools, a.config, a.write);
  releasePools(claims, a.config);
  assert.equal(claimant(claims, '127.0.100.0/24'), undefined);
  assert.equal(claimFreePool(claims, defaultPools, b.config, b.write), '127.0.100.0/24');
  fs.rmSync(path.dirname(b.config), { recursive: true });
  assert.equal(claimant(claims, '127.0.100.0/24'), undefined, 'the config is gone: stale');
  assert.equal(claimPool(claims, '127.0.100.0/24', a.config, a.write), true);
  assert.equal(claimant(claims, '127.0.100.0/24'), a.config);
  fs.rmSync(root, { recursive: true });
});

test('a claim whose config now names another range is stale', () => {
  const { root, claims, a, b } = setup();
  claimPool(claims, '127.0.120.0/24', a.config, a.write);
  a.write('127.0.121.0/24');
  assert.equal(claimant(claims, '127.0.120.0/24'), undefined);
  assert.equal(claimPool(claims, '127.0.120.0/24', b.config, b.write), true);
  fs.rmSync(root, { recursive: true });
});
