// Upstream's replica_calculator_test.go cases: pods with two containers each, cpu requests per
// container, metrics per container as metrics-server would list them (PodMetrics), readiness,
// start times, phases and deletions; a 2-minute cpu initialization period and a 10-second
// initial readiness delay as upstream's tests use.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodMetrics } from '../../api/types.js';
import { matchLabels, parseLabelSelector } from '../../api/labels.js';
import { rfc3339 } from '../../api/time.js';
import { resourceMetricsOf, type MetricsClient, type PodMetricsInfo } from './metrics/metrics-client.js';
import { groupPods, ReplicaCalculator, type Tolerances } from './replica-calculator.js';

const namespace = 'test-namespace';
const selector = 'name=test-pod';
const containersPerPod = 2;
// Go's zero time, as upstream's fixtures leave the metrics' timestamp: before any readiness change.
const metricTime = new Date('0001-01-01T00:00:00Z');
const zeroTime = '0001-01-01T00:00:00Z';
const now = () => new Date();
const minutesAgo = (m: number) => rfc3339(new Date(Date.now() - m * 60_000));
const defaults: Tolerances = { scaleDown: 0.1, scaleUp: 0.1 };

interface Scenario {
  currentReplicas: number;
  /** cpu request per container of each pod; its length is the number of pods when longer than currentReplicas. */
  requests: string[];
  /** usage per container of pod i (fewer entries: the pods after them have no metrics). */
  levels: number[][];
  podNames?: string[];
  container?: string;
  readiness?: ('True' | 'False')[];
  startTime?: string[];
  phase?: string[];
  deleted?: boolean[];
}

const levels = (...perPod: number[]) => perPod.map((v) => Array(containersPerPod).fill(v) as number[]);
const requests = (n: number, q: string) => Array(n).fill(q) as string[];

function pods(s: Scenario): Pod[] {
  const n = Math.max(s.currentReplicas, s.phase?.length ?? 0);
  return Array.from({ length: n }, (_, i): Pod => {
    const req = s.requests[i];
    const resources = req === undefined ? {} : { requests: { cpu: req } };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `test-pod-${i}`, namespace, labels: { name: 'test-pod' }, ...(s.deleted?.[i] ? { deletionTimestamp: rfc3339(new Date()) } : {}) },
      spec: { containers: [{ name: 'container1', image: 'x', resources }, { name: 'container2', image: 'x', resources }] },
      status: { phase: s.phase?.[i] ?? 'Running', startTime: s.startTime?.[i] ?? zeroTime, conditions: [{ type: 'Ready', status: s.readiness?.[i] ?? 'True' }] },
    } as Pod;
  });
}

function podMetrics(s: Scenario): PodMetrics[] {
  return s.levels.map((perContainer, i) => ({
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: { name: s.podNames?.[i] ?? `test-pod-${i}`, namespace, labels: { name: 'test-pod' } },
    timestamp: rfc3339(metricTime),
    window: '1m0s',
    containers: perContainer.map((m, j) => ({ name: `container${j + 1}`, usage: { cpu: `${m}m` } })),
  }));
}

/** The metrics API as the REST client reads it, answering from the scenario's PodMetrics. */
function metricsAPI(items: PodMetrics[], raw?: PodMetricsInfo): MetricsClient {
  return {
    async getResourceMetric(resource, _ns, sel, container) {
      const reqs = parseLabelSelector(sel);
      const listed = items.filter((m) => matchLabels(reqs, m.metadata.labels));
      if (listed.length === 0) throw new Error('no metrics returned from resource metrics API');
      return { metrics: resourceMetricsOf(listed, resource, container), timestamp: new Date(listed[0].timestamp) };
    },
    async getRawMetric() {
      if (!raw) throw new Error('no custom metrics specified');
      return { metrics: new Map(raw), timestamp: metricTime };
    },
    async getObjectMetric() {
      throw new Error('not in this test');
    },
    async getExternalMetric() {
      throw new Error('not in this test');
    },
  };
}

function calculator(s: Scenario, raw?: PodMetricsInfo): ReplicaCalculator {
  const all = pods(s);
  return new ReplicaCalculator({
    metrics: metricsAPI(podMetrics(s), raw),
    pods: (ns, sel) => all.filter((p) => p.metadata.namespace === ns && matchLabels(parseLabelSelector(sel), p.metadata.labels)),
    cpuInitializationPeriodMs: 2 * 60_000,
    delayOfInitialReadinessStatusMs: 10_000,
    now,
  });
}

interface ResourceCase {
  name: string;
  s: Scenario;
  target: number;
  replicas?: number;
  utilization?: number;
  raw?: number;
  error?: string;
  tolerances?: Tolerances;
}

async function runResourceCase(c: ResourceCase): Promise<void> {
  const calc = calculator(c.s);
  const run = calc.getResourceReplicas(c.s.currentReplicas, c.target, 'cpu', c.tolerances ?? defaults, namespace, selector, c.s.container ?? '');
  if (c.error) {
    await assert.rejects(run, (e: Error) => e.message.includes(c.error!));
    return;
  }
  const r = await run;
  assert.deepEqual([r.replicas, r.utilization, r.rawUtilization], [c.replicas, c.utilization, c.raw]);
  assert.equal(r.timestamp.getTime(), metricTime.getTime());
}

const c3 = () => requests(3, '1.0');

describe('GetResourceReplicas: scale up, scale down, no scale', () => {
  const cases: ResourceCase[] = [
    { name: 'scale up', s: { currentReplicas: 3, requests: c3(), levels: levels(300, 500, 700) }, target: 30, replicas: 5, utilization: 50, raw: 2 * 500 },
    { name: 'scale up: container metric', s: { currentReplicas: 3, container: 'container2', requests: c3(), levels: [[1000, 300], [1000, 500], [1000, 700]] }, target: 30, replicas: 5, utilization: 50, raw: 500 },
    { name: 'scale up: unready pod scales less', s: { currentReplicas: 3, readiness: ['False', 'True', 'True'], requests: c3(), levels: levels(300, 500, 700) }, target: 30, replicas: 4, utilization: 60, raw: 2 * 600 },
    { name: 'scale up: hot-CPU pod scales less', s: { currentReplicas: 3, startTime: [minutesAgo(0), minutesAgo(3), minutesAgo(3)], requests: c3(), levels: levels(300, 500, 700) }, target: 30, replicas: 4, utilization: 60, raw: 2 * 600 },
    { name: 'no scale: unready pods ignored', s: { currentReplicas: 3, readiness: ['True', 'False', 'False'], requests: c3(), levels: levels(400, 500, 700) }, target: 30, replicas: 3, utilization: 40, raw: 2 * 400 },
    { name: 'no scale: hot-CPU pods ignored', s: { currentReplicas: 3, readiness: ['True', 'False', 'False'], startTime: [minutesAgo(3), minutesAgo(0), minutesAgo(0)], requests: c3(), levels: levels(400, 500, 700) }, target: 30, replicas: 3, utilization: 40, raw: 2 * 400 },
    { name: 'scale up: failed pods ignored', s: { currentReplicas: 2, readiness: ['True', 'True', 'False', 'False'], phase: ['Running', 'Running', 'Failed', 'Failed'], requests: requests(4, '1.0'), levels: levels(500, 700) }, target: 30, replicas: 4, utilization: 60, raw: 2 * 600 },
    { name: 'scale up: succeeded pods ignored', s: { currentReplicas: 2, readiness: ['True', 'True', 'False', 'False'], phase: ['Running', 'Running', 'Succeeded', 'Succeeded'], requests: requests(4, '1.0'), levels: levels(500, 700) }, target: 30, replicas: 4, utilization: 60, raw: 2 * 600 },
    { name: 'scale up: pods being deleted are ignored', s: { currentReplicas: 2, readiness: ['True', 'True', 'False', 'False'], phase: ['Running', 'Running', 'Running', 'Running'], deleted: [false, false, true, true], requests: requests(4, '1.0'), levels: levels(500, 700) }, target: 30, replicas: 4, utilization: 60, raw: 2 * 600 },
    { name: 'scale down', s: { currentReplicas: 5, requests: requests(5, '1.0'), levels: levels(100, 300, 500, 250, 250) }, target: 50, replicas: 3, utilization: 28, raw: 2 * 280 },
    { name: 'scale down: container metric', s: { currentReplicas: 5, container: 'container2', requests: requests(5, '1.0'), levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]] }, target: 50, replicas: 3, utilization: 28, raw: 280 },
    { name: 'scale down: exclude unready pods', s: { currentReplicas: 5, readiness: ['True', 'True', 'True', 'False', 'False'], requests: requests(5, '1.0'), levels: levels(100, 300, 500, 250, 250) }, target: 50, replicas: 2, utilization: 30, raw: 2 * 300 },
    { name: 'scale down: exclude unscheduled pods', s: { currentReplicas: 5, readiness: ['True', 'False', 'False', 'False', 'False'], phase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'], requests: requests(5, '1.0'), levels: levels(100) }, target: 50, replicas: 1, utilization: 10, raw: 2 * 100 },
    { name: 'scale down: ignore hot-CPU pods', s: { currentReplicas: 5, startTime: [minutesAgo(3), minutesAgo(3), minutesAgo(3), minutesAgo(0), minutesAgo(0)], requests: requests(5, '1.0'), levels: levels(100, 300, 500, 250, 250) }, target: 50, replicas: 2, utilization: 30, raw: 2 * 300 },
    { name: 'scale down: failed pods ignored', s: { currentReplicas: 5, readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'], phase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'], requests: requests(7, '1.0'), levels: levels(100, 300, 500, 250, 250) }, target: 50, replicas: 3, utilization: 28, raw: 2 * 280 },
    { name: 'scale down: still-running pods being deleted are ignored', s: { currentReplicas: 5, readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'], phase: Array(7).fill('Running'), deleted: [false, false, false, false, false, true, true], container: 'container2', requests: requests(7, '1.0'), levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]] }, target: 50, replicas: 3, utilization: 28, raw: 280 },
  ];
  for (const c of cases) test(c.name, () => runResourceCase(c));
});

describe('GetResourceReplicas: tolerance', () => {
  const mixed = () => ['0.9', '1.0', '1.1'];
  const cases: ResourceCase[] = [
    { name: 'within default tolerance', s: { currentReplicas: 3, requests: mixed(), levels: levels(1010, 1030, 1020) }, target: 100, replicas: 3, utilization: 102, raw: 2 * 1020 },
    { name: 'outside 0% tolerance', tolerances: { scaleDown: 0, scaleUp: 0 }, s: { currentReplicas: 3, requests: mixed(), levels: levels(909, 1010, 1111) }, target: 100, replicas: 4, utilization: 101, raw: 2 * 1010 },
    { name: 'within 200% scale-up tolerance', tolerances: { scaleDown: 0.1, scaleUp: 2 }, s: { currentReplicas: 3, requests: mixed(), levels: levels(1890, 1910, 1900) }, target: 100, replicas: 3, utilization: 190, raw: 2 * 1900 },
    { name: 'outside 8% scale-up tolerance', tolerances: { scaleDown: 2, scaleUp: 0.08 }, s: { currentReplicas: 3, requests: mixed(), levels: levels(1100, 1080, 1090) }, target: 100, replicas: 4, utilization: 109, raw: 2 * 1090 },
    { name: 'within 36% scale-down tolerance', tolerances: { scaleDown: 0.36, scaleUp: 0.1 }, s: { currentReplicas: 3, requests: mixed(), levels: levels(660, 640, 650) }, target: 100, replicas: 3, utilization: 65, raw: 2 * 650 },
    { name: 'outside 34% scale-down tolerance', tolerances: { scaleDown: 0.34, scaleUp: 0.1 }, s: { currentReplicas: 3, requests: mixed(), levels: levels(660, 640, 650) }, target: 100, replicas: 2, utilization: 65, raw: 2 * 650 },
  ];
  for (const c of cases) test(c.name, () => runResourceCase(c));

  test('a minimal breach of the tolerance scales; just inside it does not (upstream computed-tolerance regression)', async () => {
    const start = 10;
    const used = start * 150;
    const requested = 2 * used;
    const perPod = requested / start;
    const s: Scenario = {
      currentReplicas: start,
      levels: levels(...Array(10).fill(used / 10)),
      requests: [perPod + 100, perPod - 100, perPod + 10, perPod - 10, perPod + 2, perPod - 2, perPod + 1, perPod - 1, perPod, perPod].map((m) => `${m}m`),
    };
    let target = Math.abs(1 / (2 * (1 - 0.1))) + 0.01;
    const finalPods = Math.ceil((used / (requested * target)) * start);
    await runResourceCase({ name: 'breach', s, target: Math.trunc(target * 100), replicas: finalPods, utilization: Math.trunc((used * 100) / requested), raw: (2 * used) / 10 });
    target = Math.abs(1 / (2 * (1 - 0.1))) + 0.004;
    await runResourceCase({ name: 'inside', s, target: Math.trunc(target * 100), replicas: start, utilization: Math.trunc((used * 100) / requested), raw: (2 * used) / 10 });
  });
});

describe('GetResourceReplicas: missing metrics and errors', () => {
  const cases: ResourceCase[] = [
    { name: 'superfluous metrics counted', s: { currentReplicas: 4, requests: requests(4, '1.0'), levels: levels(4000, 9500, 3000, 7000, 3200, 2000) }, target: 100, replicas: 24, utilization: 587, raw: 2 * 5875 },
    { name: 'some pods missing metrics scales down', s: { currentReplicas: 4, requests: requests(4, '1.0'), levels: levels(400, 95) }, target: 100, replicas: 3, utilization: 24, raw: 495 },
    { name: 'no change: metric equal to target', s: { currentReplicas: 2, requests: requests(2, '1.0'), levels: levels(1000) }, target: 100, replicas: 2, utilization: 100, raw: 2 * 1000 },
    { name: 'no change: metric above target', s: { currentReplicas: 2, requests: requests(2, '1.0'), levels: levels(1900) }, target: 100, replicas: 2, utilization: 190, raw: 2 * 1900 },
    { name: 'no change: metric below target', s: { currentReplicas: 2, requests: requests(2, '1.0'), levels: levels(600) }, target: 100, replicas: 2, utilization: 60, raw: 2 * 600 },
    { name: 'no change: unready pod metric missing', s: { currentReplicas: 3, readiness: ['False', 'True', 'True'], requests: c3(), levels: levels(100, 450) }, target: 50, replicas: 3, utilization: 45, raw: 2 * 450 },
    { name: 'scale up: unready pod metric missing', s: { currentReplicas: 3, readiness: ['False', 'True', 'True'], requests: c3(), levels: levels(100, 2000) }, target: 50, replicas: 4, utilization: 200, raw: 2 * 2000 },
    { name: 'scale down: unready pod metric missing', s: { currentReplicas: 4, readiness: ['False', 'True', 'True', 'True'], requests: requests(4, '1.0'), levels: levels(100, 100, 100) }, target: 50, replicas: 3, utilization: 10, raw: 2 * 100 },
    { name: 'scale down: target over 100', s: { currentReplicas: 4, readiness: ['False', 'True', 'True', 'True'], requests: ['1.0', '1.0', '2.0', '2.0'], levels: levels(200, 100, 100) }, target: 300, replicas: 2, utilization: 6, raw: 2 * 100 },
    { name: 'rolling update with maxSurge: extra pod missing metric', s: { currentReplicas: 2, phase: ['Running', 'Running', 'Running'], requests: c3(), levels: levels(100, 100) }, target: 50, replicas: 2, utilization: 10, raw: 2 * 100 },
    { name: 'disjoint pod and metric names', s: { currentReplicas: 1, requests: ['1.0'], levels: levels(100), podNames: ['an-older-pod-name'] }, target: 100, error: 'no metrics returned matched known pods' },
    { name: 'no metrics returned from metrics API', s: { currentReplicas: 4, requests: c3(), levels: [] }, target: 100, error: 'unable to get metrics for resource cpu: no metrics returned from resource metrics API' },
    { name: 'missing CPU request on container', s: { currentReplicas: 1, requests: [], levels: levels(200) }, target: 100, error: 'missing request for cpu in container container1 of Pod test-pod-0' },
  ];
  for (const c of cases) test(c.name, () => runResourceCase(c));
});

describe('GetMetricReplicas and GetRawResourceReplicas: average values', () => {
  const raw = (...values: number[]): PodMetricsInfo => new Map(values.map((v, i) => [`test-pod-${i}`, { timestamp: metricTime, windowMs: 60_000, value: v }]));
  const cases: { name: string; s: Scenario; metrics: PodMetricsInfo; target: number; replicas: number; usage: number }[] = [
    { name: 'scale up', s: { currentReplicas: 3, requests: [], levels: [] }, metrics: raw(20000, 10000, 30000), target: 15000, replicas: 4, usage: 20000 },
    { name: 'scale up: unready hot-CPU pod scales less', s: { currentReplicas: 3, readiness: ['True', 'True', 'False'], startTime: [minutesAgo(3), minutesAgo(3), minutesAgo(0)], requests: [], levels: [] }, metrics: raw(50000, 10000, 30000), target: 15000, replicas: 6, usage: 30000 },
    { name: 'scale down', s: { currentReplicas: 5, requests: [], levels: [] }, metrics: raw(12000, 12000, 12000, 12000, 12000), target: 20000, replicas: 3, usage: 12000 },
    { name: 'within default tolerance', s: { currentReplicas: 3, requests: [], levels: [] }, metrics: raw(20000, 21000, 21000), target: 20000, replicas: 3, usage: 20666 },
    { name: 'no change: missing metrics', s: { currentReplicas: 5, requests: [], levels: [] }, metrics: raw(20000, 19000, 21000), target: 20000, replicas: 5, usage: 20000 },
    { name: 'rolling update with maxSurge: extra pod missing metric', s: { currentReplicas: 2, phase: ['Running', 'Running', 'Running'], requests: [], levels: [] }, metrics: raw(10000, 10000), target: 17000, replicas: 2, usage: 10000 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await calculator(c.s, c.metrics).getMetricReplicas(c.s.currentReplicas, c.target, 'qps', defaults, namespace, selector);
      assert.deepEqual([r.replicas, r.usage], [c.replicas, c.usage]);
    });
  }

  test('averageValue of cpu: the average usage against the target, missing pods at the target on a scale-down', async () => {
    const s: Scenario = { currentReplicas: 4, requests: requests(4, '1.0'), levels: levels(100, 100, 100) };
    const r = await calculator(s).getRawResourceReplicas(4, 500, 'cpu', defaults, namespace, selector, '');
    // Average 200m of a 500m target: the missing pod counts as 500m, so (600+500)/4 / 500 * 4 = 3.
    assert.deepEqual([r.replicas, r.usage], [3, 200]);
  });
});

test('groupPods: a ready pod counts for memory whatever its start; a pod without a Ready condition is unready for cpu', () => {
  const pod = (name: string, conditions: { type: string; status: string }[]): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [] }, status: { phase: 'Running', conditions } }) as Pod;
  const metrics: PodMetricsInfo = new Map([['a', { timestamp: new Date(), windowMs: 60_000, value: 1 }], ['b', { timestamp: new Date(), windowMs: 60_000, value: 1 }]]);
  const opts = { cpuInitializationPeriodMs: 120_000, delayOfInitialReadinessStatusMs: 10_000, now };
  const mem = groupPods([pod('a', [])], metrics, 'memory', opts);
  assert.equal(mem.readyPodCount, 1);
  const cpu = groupPods([pod('b', [])], metrics, 'cpu', opts);
  assert.deepEqual([cpu.readyPodCount, [...cpu.unready]], [0, ['b']]);
});
