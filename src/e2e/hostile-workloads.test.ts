// Hostile workload objects must not stall the API: the controllers share the API server's event
// loop, so a StatefulSet, Job or ReplicaSet asking for 2^31-1 pods, or a CronJob that missed
// millions of minutes, must cost each sync work bounded by what exists plus one slow-start burst.
// Each case applies the object with the real kubectl, samples /readyz (over the unix socket) and
// `kubectl get` while the controllers work and records the worst latency (the bound is generous:
// it catches a stall of seconds, it does not time anything precisely), checks that pods grow in
// bounded bursts, that scale to 0 / delete cleans up, and that invalid sizes get upstream's error.
// Cases: StatefulSets (Parallel, OrderedReady), Jobs (NonIndexed parallelism, Indexed at the
// parallelism cap, the Indexed size limits), Deployment / ReplicaSet / ReplicationController
// scaled through the scale subresource (and past int32), a CronJob decades late, an 8Ei claim.
// The fake runtime serves: no pod runs a process. The worst latencies go to stderr.
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

/** The number of pods matching selector, listed in pages (as kubectl does) to keep each answer small. */
async function podCount(selector: string): Promise<number> {
  let count = 0;
  let cont = '';
  do {
    const q = `labelSelector=${encodeURIComponent(selector)}&limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    const r = await api.request('GET', `/api/v1/namespaces/${ns}/pods?${q}`);
    const list = JSON.parse(r.body.toString()) as { items: unknown[]; metadata: { continue?: string } };
    count += list.items.length;
    cont = list.metadata.continue ?? '';
  } while (cont);
  return count;
}

/** Samples the latency for ms under label; the API must have answered every time, within the bound. */
async function answersWhile(label: string, ms: number): Promise<void> {
  const latency = await sampleLatency(ms);
  worst[label] = { readyz: Math.round(latency.readyz), get: Math.round(latency.get) };
  assert.ifError(latency.error);
  assert.ok(latency.readyz < answerBoundMs, `${label}: /readyz took ${latency.readyz} ms`);
}

/** Applies, samples the latency while pods appear, and returns the pod count seen. */
async function applyAndSample(label: string, manifest: object, selector: string): Promise<number> {
  await c.k(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(manifest) });
  await answersWhile(label, 2000);
  const count = await podCount(selector);
  assert.ok(count > 0, `${label}: no pod created`);
  return count;
}

const podTemplate = (labels: Record<string, string>, restartPolicy = 'Always') => ({
  metadata: { labels },
  spec: { restartPolicy, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'pause' }] },
});

/** Waits until no pod matches selector (the cleanup of a hostile object). */
async function noPodsLeft(selector: string): Promise<void> {
  await eventually(async () => (await podCount(selector)) === 0, 60_000, 500);
}

/** kubectl create that must fail; its stderr. */
async function rejected(manifest: object): Promise<string> {
  const r = await c.kubectl(['create', '-n', ns, '-f', '-'], { input: JSON.stringify(manifest) });
  assert.notEqual(r.code, 0, r.stdout);
  return r.stderr.trim();
}

function statefulSet(name: string, podManagementPolicy: string): object {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: { replicas: maxInt32, podManagementPolicy, serviceName: name, selector: { matchLabels: labels }, template: podTemplate(labels) },
  };
}

function job(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { ...spec, template: podTemplate({ app: name }, 'Never') } };
}

describe('hostile workloads', { skip: !isRoot && 'the e2e harness runs as root' }, () => {
  test('a Parallel StatefulSet of 2^31-1 replicas creates in bursts; the API answers; scale 0 cleans up', async () => {
    const count = await applyAndSample('statefulset-parallel', statefulSet('big', 'Parallel'), 'app=big');
    // The status counts the pods that exist (not 2^31-1 slots).
    const status = await eventually(async () => {
      const s = JSON.parse(await c.k(['get', 'sts', 'big', '-n', ns, '-o', 'json'])).status;
      return s?.observedGeneration === 1 && s.replicas > 0 && s;
    }, 30_000);
    process.stderr.write(`statefulset: ${count} pods after 2 s, status.replicas ${status.replicas}\n`);
    assert.ok(count < 100_000, `${count} pods`);
    await c.k(['scale', 'sts', 'big', '-n', ns, '--replicas=0']);
    await noPodsLeft('app=big');
    await c.k(['delete', 'sts', 'big', '-n', ns]);
  });

  test('an OrderedReady StatefulSet of 2^31-1 replicas creates one pod at a time; delete cleans up', async () => {
    const count = await applyAndSample('statefulset-ordered', statefulSet('ordered', 'OrderedReady'), 'app=ordered');
    // One pod a sync, each waiting for the one before to be Running and Ready.
    assert.ok(count < 500, `${count} pods`);
    await c.k(['delete', 'sts', 'ordered', '-n', ns]);
    await noPodsLeft('app=ordered');
  });

  test('a Job of parallelism 2^31-1 creates pods in bursts of at most 500 a sync; delete cleans up', async () => {
    const count = await applyAndSample('job-parallelism', job('wide', { parallelism: maxInt32 }), 'app=wide');
    process.stderr.write(`job: ${count} pods after 2 s\n`);
    await c.k(['delete', 'job', 'wide', '-n', ns]);
    await noPodsLeft('app=wide');
  });

  test('an Indexed Job of 2^31-1 completions at the parallelism cap runs the lowest indexes; delete cleans up', async () => {
    await applyAndSample('job-indexed', job('indexed', { completionMode: 'Indexed', completions: maxInt32, parallelism: 100000 }), 'app=indexed');
    const names = (await c.k(['get', 'pods', '-n', ns, '-l', 'app=indexed', '-o', 'name'])).split('\n').filter(Boolean);
    assert.ok(names.some((n) => n.startsWith('pod/indexed-0-')), names.slice(0, 3).join(' '));
    await c.k(['delete', 'job', 'indexed', '-n', ns]);
    await noPodsLeft('app=indexed');
  });

  test('Indexed Jobs beyond upstream size limits get its validation errors', async () => {
    assert.equal(
      await rejected(job('too-wide', { completionMode: 'Indexed', completions: maxInt32, parallelism: maxInt32 })),
      'The Job "too-wide" is invalid: spec.parallelism: Invalid value: 2147483647: must be less than or equal to 100000 when completion mode is Indexed',
    );
    assert.equal(
      await rejected(job('per-index', { completionMode: 'Indexed', completions: maxInt32, parallelism: 20000, backoffLimitPerIndex: 1 })),
      'The Job "per-index" is invalid: \n' +
        '* spec.maxFailedIndexes: Required value: must be specified when completions is above 100000\n' +
        '* spec.parallelism: Invalid value: 20000: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index',
    );
  });

  test('a Deployment, a ReplicaSet and a ReplicationController scaled to 2^31-1 create in bursts; scale 0 cleans up', async () => {
    const workloads = ['deployment/dep-big', 'rs/rs-big', 'rc/rc-big'];
    const labels = (app: string) => ({ app });
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dep-big' }, spec: { replicas: 0, selector: { matchLabels: labels('dep-big') }, template: podTemplate(labels('dep-big')) } };
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs-big' }, spec: { replicas: 0, selector: { matchLabels: labels('rs-big') }, template: podTemplate(labels('rs-big')) } };
    const rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc-big' }, spec: { replicas: 0, selector: labels('rc-big'), template: podTemplate(labels('rc-big')) } };
    await c.k(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [dep, rs, rc] }) });
    await c.k(['scale', ...workloads, '-n', ns, `--replicas=${maxInt32}`]);
    await answersWhile('deployment+rs+rc-scale', 2000);
    for (const app of ['dep-big', 'rs-big', 'rc-big']) assert.ok((await podCount(`app=${app}`)) > 0, app);
    await c.k(['scale', ...workloads, '-n', ns, '--replicas=0']);
    await noPodsLeft('app in (dep-big,rs-big,rc-big)');
    await c.k(['delete', ...workloads, '-n', ns]);
  });

  test('the scale subresource refuses replicas beyond int32 with a client error', async () => {
    await c.k(['create', 'deployment', 'scaled', '-n', ns, '--image=pause', '--replicas=0']);
    const r = await c.kubectl(['scale', 'deployment', 'scaled', '-n', ns, '--replicas=2147483648']);
    assert.notEqual(r.code, 0);
    // Go's decoding error for an int32 field, as a client error (never a 5xx).
    assert.match(r.stderr, /json: cannot unmarshal number 2147483648 into Go struct field ScaleSpec\.spec\.replicas of type int32/);
    assert.doesNotMatch(r.stderr, /InternalError|Internal error/);
    await c.k(['delete', 'deployment', 'scaled', '-n', ns]);
  });

  test('a CronJob every minute that last ran decades ago: too many missed start times, counted not walked', async () => {
    const cj = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'late' },
      spec: { schedule: '* * * * *', suspend: true, jobTemplate: { spec: { template: podTemplate({ app: 'late' }, 'Never') } } },
    };
    await c.k(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(cj) });
    await c.k(['patch', 'cronjob', 'late', '-n', ns, '--subresource=status', '--type=merge', '-p', '{"status":{"lastScheduleTime":"1971-01-01T00:00:00Z"}}']);
    await c.k(['patch', 'cronjob', 'late', '-n', ns, '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    await answersWhile('cronjob', 2000);
    const event = await eventually(async () => {
      const out = await c.k(['get', 'events', '-n', ns, '--field-selector', 'reason=TooManyMissedTimes', '-o', 'json']);
      return (JSON.parse(out).items as { message: string; type: string }[])[0];
    }, 20_000);
    assert.deepEqual([event.type, event.message], ['Warning', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew']);
    await c.k(['delete', 'cronjob', 'late', '-n', ns]);
  });

  test('a claim for 8Ei binds to a local-path volume of 8Ei without allocating anything', async () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'huge' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Ei' } } },
    };
    // The default class waits for a first consumer.
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'huge-user' },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'pause', volumeMounts: [{ name: 'd', mountPath: '/d' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'huge' } }] },
    };
    await c.k(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pvc, pod] }) });
    await answersWhile('pvc', 1000);
    const bound = await eventually(async () => {
      const claim = JSON.parse(await c.k(['get', 'pvc', 'huge', '-n', ns, '-o', 'json']));
      return claim.status?.phase === 'Bound' && claim;
    }, 30_000);
    assert.equal(bound.status.capacity.storage, '8Ei');
    await c.k(['delete', 'pod/huge-user', 'pvc/huge', '-n', ns]);
  });
});
