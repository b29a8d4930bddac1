import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedFrequencyRunner } from './bounded-frequency-runner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('requests during a run merge into one more run', async () => {
  let runs = 0;
  let release!: () => void;
  const r = new BoundedFrequencyRunner('t', async () => {
    runs++;
    if (runs === 1) await new Promise<void>((res) => (release = res));
  }, { minIntervalMs: 0, maxIntervalMs: 60_000 });
  r.start();
  await sleep(10);
  assert.equal(runs, 1);
  for (let i = 0; i < 5; i++) r.run();
  release();
  await sleep(30);
  assert.equal(runs, 2);
  r.stop();
});

test('runs are at least minInterval apart', async () => {
  const starts: number[] = [];
  const r = new BoundedFrequencyRunner('t', () => void starts.push(Date.now()), { minIntervalMs: 100, maxIntervalMs: 60_000 });
  r.start();
  await sleep(10);
  r.run();
  r.run();
  await sleep(200);
  r.stop();
  assert.equal(starts.length, 2);
  assert.ok(starts[1] - starts[0] >= 99, `runs ${starts[1] - starts[0]} ms apart`);
});

test('a failing run is retried and never stops the loop; maxInterval forces periodic runs', async () => {
  let runs = 0;
  const r = new BoundedFrequencyRunner('t', () => {
    runs++;
    if (runs === 1) throw new Error('boom');
  }, { minIntervalMs: 0, maxIntervalMs: 60_000, retryIntervalMs: 20 });
  r.start();
  await sleep(100);
  assert.equal(runs, 2);
  r.stop();

  let periodic = 0;
  const p = new BoundedFrequencyRunner('p', () => void periodic++, { minIntervalMs: 0, maxIntervalMs: 20 });
  p.start();
  await sleep(150);
  p.stop();
  assert.ok(periodic >= 3, `${periodic} periodic runs`);
});

test('nothing runs before start(); stop() ends the loop', async () => {
  let runs = 0;
  const r = new BoundedFrequencyRunner('t', () => void runs++, { minIntervalMs: 0, maxIntervalMs: 10 });
  r.run();
  await sleep(20);
  assert.equal(runs, 0);
  r.start();
  await sleep(5);
  r.stop();
  const n = runs;
  await sleep(40);
  assert.equal(runs, n);
});
