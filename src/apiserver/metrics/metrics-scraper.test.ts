import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeResourceUsage } from '../../api/node-resource-usage.js';
import { waitFor } from '../../testing/wait.js';
import { silentLogger } from '../../util/logger.js';
import { lacksRate, MetricsScraper, withReading } from './metrics-scraper.js';

const at = (ms: number, containers: [string, number][] = []): NodeResourceUsage => ({
  time: new Date(ms),
  node: { cpuCoreSeconds: ms / 1000, memoryWorkingSetBytes: 1 },
  containers: containers.map(([pod, cpu]) => ({ namespace: 'ns', pod, container: 'c', cpuCoreSeconds: cpu, memoryWorkingSetBytes: 1 })),
});

test('the previous reading is the newest at least the shortest window older; closer ones wait their turn', () => {
  const one = withReading(undefined, at(0), 1000);
  assert.deepEqual(one, { cur: at(0) });
  const two = withReading(one, at(1000), 1000);
  assert.deepEqual([two.prev?.time, two.cur.time], [new Date(0), new Date(1000)]);
  const soon = withReading(two, at(1400), 1000);
  assert.deepEqual([soon.prev?.time, soon.cur.time], [new Date(0), new Date(1400)]);
  const first = withReading(one, at(300), 1000);
  assert.deepEqual([first.prev, first.cur.time], [undefined, new Date(300)]);
  assert.deepEqual(withReading(first, at(1100), 1000).prev?.time, new Date(0));
});

test('reads closer together than the shortest window (a short resolution plus extra reads) keep the window bounded', () => {
  let r = withReading(undefined, at(0), 1000);
  // Regular reads every 900 ms with an extra read 100 ms after each.
  for (let t = 900; t <= 20_000; t += 900) r = withReading(withReading(r, at(t), 1000), at(t + 100), 1000);
  const window = r.cur.time.getTime() - r.prev!.time.getTime();
  assert.ok(window >= 1000 && window <= 1900, `window ${window} ms`);
});

test('a rate is lacking for a node read once and for a container new or restarted since the previous reading', () => {
  assert.equal(lacksRate({ cur: at(0) }), true);
  assert.equal(lacksRate({ prev: at(0, [['a', 1]]), cur: at(1000, [['a', 2]]) }), false);
  assert.equal(lacksRate({ prev: at(0, [['a', 1]]), cur: at(1000, [['a', 2], ['b', 0.1]]) }), true);
  assert.equal(lacksRate({ prev: at(0, [['a', 1]]), cur: at(1000, [['a', 0.2]]) }), true);
});

test('the first two readings come quickly: a new node or pod has a window long before the next resolution', async () => {
  let clock = 0;
  const pods: [string, number][] = [];
  let reads = 0;
  const scraper = new MetricsScraper({
    nodes: async () => ['node-1'],
    // Each read is a second of the node's time later: the windows are whole seconds.
    scrape: async () => {
      reads++;
      clock += 1000;
      return at(clock, pods.map(([p, cpu]) => [p, cpu + clock / 1000]));
    },
    resolutionMs: 3_600_000,
    logger: silentLogger,
  });
  scraper.start();
  try {
    // Read at start, then once more for the node seen the first time, well before the hour.
    await waitFor(() => scraper.pairs().length === 1, 10_000, 'a window for node-1');
    const settled = reads;
    pods.push(['web', 0]);
    scraper.requestScrape();
    await waitFor(() => scraper.pairs()[0]?.cur.containers.length === 1 && scraper.pairs()[0].prev.containers.length === 1, 10_000, 'a window for the new pod');
    assert.equal(reads, settled + 2);
  } finally {
    await scraper.stop();
  }
});
