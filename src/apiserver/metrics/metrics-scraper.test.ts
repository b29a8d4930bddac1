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

test('a reading shifts the pair, unless it comes sooner than the shortest window after the last: then it only replaces it', () => {
  const one = withReading(undefined, at(0), 1000);
  assert.deepEqual(one, { cur: at(0) });
  const two = withReading(one, at(1000), 1000);
  assert.deepEqual([two.prev?.time, two.cur.time], [new Date(0), new Date(1000)]);
  const soon = withReading(two, at(1400), 1000);
  assert.deepEqual([soon.prev?.time, soon.cur.time], [new Date(0), new Date(1400)]);
  const first = withReading(one, at(300), 1000);
  assert.deepEqual(first, { prev: undefined, cur: at(300) });
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
