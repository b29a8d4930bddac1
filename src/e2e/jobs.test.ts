// Jobs, CronJobs and ReplicationControllers on real pods (netns runtime), driven by kubectl
// 1.33 (the dispatcher's pick for a 1.33 server) and kubectl 1.27:
//   - a Job of `busybox sh -c 'echo hi'` completes: kubectl wait --for=condition=complete,
//     kubectl logs job/x prints hi, kubectl get shows STATUS Complete and COMPLETIONS 1/1;
//   - a failing Job reaches its backoffLimit (Failed, BackoffLimitExceeded, the event);
//   - an Indexed Job (completions 3, parallelism 2) runs indexes 0-2, each pod seeing its
//     JOB_COMPLETION_INDEX and hostname <job>-<index>;
//   - activeDeadlineSeconds fails a Job with DeadlineExceeded; ttlSecondsAfterFinished deletes one;
//   - kubectl create job --from=cronjob/x (client-side) runs the CronJob's template;
//   - a ReplicationController from a manifest runs, scales and takes its pods when deleted.
// The CronJob schedule itself is tested with an injected clock in controllers/cronjob.
// Needs root (network namespaces).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, parseTable, passClients, startCluster, writeTemp, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
const clients = passClients;
let c: TestCluster;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 1, extraArgs: ['--runtime', 'netns'] });
});

after(() => {
  c?.down(true);
});

function jobManifest(name: string, spec: Record<string, unknown>, command: string, restartPolicy = 'Never'): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...spec, template: { spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', command] }] } } },
  });
}

describe('jobs', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  for (const bin of clients) {
    const v = bin.endsWith('1.27') ? '127' : '133';
    test(`kubectl ${v}: a Job that echoes hi completes; wait, logs and get show it`, async () => {
      const name = `hello-${v}`;
      await c.k(['create', 'job', name, '--image=busybox:1.36', '--', 'sh', '-c', 'echo hi'], {});
      const wait = await c.kubectl(['wait', '--for=condition=complete', `job/${name}`, '--timeout=120s'], { bin, timeoutMs: 130_000 });
      assert.equal(wait.code, 0, wait.stderr);
      assert.equal(wait.stdout.trim(), `job.batch/${name} condition met`);
      const logs = await c.kubectl(['logs', `job/${name}`], { bin });
      assert.equal(logs.stdout, 'hi\n', logs.stderr);
      const rows = parseTable((await c.kubectl(['get', 'job', name], { bin })).stdout);
      assert.deepEqual(Object.keys(rows[0]), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
      assert.deepEqual([rows[0].STATUS, rows[0].COMPLETIONS], ['Complete', '1/1']);
      const wide = parseTable(await c.k(['get', 'job', name, '-o', 'wide']));
      assert.equal(wide[0].CONTAINERS, name);
      assert.match(wide[0].SELECTOR, /^batch\.kubernetes\.io\/controller-uid=[0-9a-f-]+$/);
      const job = JSON.parse(await c.k(['get', 'job', name, '-o', 'json']));
      assert.equal(job.spec.backoffLimit, 6);
      assert.equal(job.status.succeeded, 1);
      assert.deepEqual(job.status.uncountedTerminatedPods, {});
      // Counted pods keep no tracking finalizer.
      const pods = JSON.parse(await c.k(['get', 'pods', '-l', `batch.kubernetes.io/job-name=${name}`, '-o', 'json'])).items;
      assert.equal(pods.length, 1);
      assert.deepEqual(pods[0].metadata.finalizers ?? [], []);
      assert.equal(pods[0].status.phase, 'Succeeded');
      const events = await c.k(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
      const reasons = JSON.parse(events).items.map((e: { reason: string; message: string }) => `${e.reason}: ${e.message}`);
      assert.ok(reasons.includes(`SuccessfulCreate: Created pod: ${pods[0].metadata.name}`), reasons.join('\n'));
      assert.ok(reasons.includes('Completed: Job completed'), reasons.join('\n'));
    });
  }

  test('a failing Job reaches its backoffLimit', async () => {
    await c.k(['apply', '-f', '-'], { input: jobManifest('fails', { backoffLimit: 1 }, 'echo no; exit 3') });
    const wait = await c.kubectl(['wait', '--for=condition=failed', 'job/fails', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(wait.code, 0, wait.stderr);
    const job = JSON.parse(await c.k(['get', 'job', 'fails', '-o', 'json']));
    assert.equal(job.status.failed, 2);
    const failed = job.status.conditions.find((x: { type: string }) => x.type === 'Failed');
    assert.deepEqual([failed.reason, failed.message], ['BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
    assert.equal(parseTable(await c.k(['get', 'job', 'fails']))[0].STATUS, 'Failed');
    const describe = await c.k(['describe', 'job', 'fails']);
    assert.match(describe, /Warning\s+BackoffLimitExceeded\s+\S+\s+job-controller\s+Job has reached the specified backoff limit/);
  });

  test('Indexed: completions 3, parallelism 2, one pod per index with JOB_COMPLETION_INDEX and its hostname', async () => {
    await c.k(['apply', '-f', '-'], {
      input: jobManifest('indexed', { completions: 3, parallelism: 2, completionMode: 'Indexed' }, 'echo "index=$JOB_COMPLETION_INDEX host=$(hostname)"'),
    });
    const wait = await c.kubectl(['wait', '--for=condition=complete', 'job/indexed', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(wait.code, 0, wait.stderr);
    const job = JSON.parse(await c.k(['get', 'job', 'indexed', '-o', 'json']));
    assert.deepEqual([job.status.succeeded, job.status.completedIndexes], [3, '0-2']);
    const pods = JSON.parse(await c.k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=indexed', '-o', 'json'])).items;
    const lines = [];
    for (const p of pods) lines.push((await c.k(['logs', p.metadata.name])).trim());
    assert.deepEqual(lines.sort(), ['index=0 host=indexed-0', 'index=1 host=indexed-1', 'index=2 host=indexed-2']);
  });

  test('activeDeadlineSeconds fails a running Job with DeadlineExceeded', async () => {
    await c.k(['apply', '-f', '-'], { input: jobManifest('deadline', { activeDeadlineSeconds: 3 }, 'sleep 300') });
    const wait = await c.kubectl(['wait', '--for=condition=failed', 'job/deadline', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(wait.code, 0, wait.stderr);
    const job = JSON.parse(await c.k(['get', 'job', 'deadline', '-o', 'json']));
    const failed = job.status.conditions.find((x: { type: string }) => x.type === 'Failed');
    assert.deepEqual([failed.reason, failed.message], ['DeadlineExceeded', 'Job was active longer than specified deadline']);
    await eventually(async () => JSON.parse(await c.k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=deadline', '-o', 'json'])).items.length === 0, 90_000);
  });

  test('ttlSecondsAfterFinished deletes the finished Job and its pods', async () => {
    await c.k(['apply', '-f', '-'], { input: jobManifest('ttl', { ttlSecondsAfterFinished: 2 }, 'echo bye') });
    await eventually(async () => {
      const r = await c.kubectl(['get', 'job', 'ttl']);
      return r.code !== 0 && /NotFound/.test(r.stderr);
    }, 120_000);
    await eventually(async () => JSON.parse(await c.k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=ttl', '-o', 'json'])).items.length === 0, 60_000);
  });

  test('a CronJob: printer columns, and kubectl create job --from=cronjob runs its template', async () => {
    await c.k(['create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=*/1 * * * *', '--', 'sh', '-c', 'echo tick']);
    const rows = parseTable(await c.k(['get', 'cronjob', 'tick']));
    assert.deepEqual(Object.keys(rows[0]), ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
    assert.deepEqual([rows[0].SCHEDULE, rows[0].TIMEZONE, rows[0].SUSPEND, rows[0].ACTIVE], ['*/1 * * * *', '<none>', 'False', '0']);
    const cj = JSON.parse(await c.k(['get', 'cj', 'tick', '-o', 'json']));
    assert.deepEqual([cj.spec.concurrencyPolicy, cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit], ['Allow', 3, 1]);
    const bad = await c.kubectl(['create', 'cronjob', 'bad', '--image=busybox:1.36', '--schedule=61 * * * *']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/);
    for (const bin of clients) {
      const name = `manual-${bin.endsWith('1.27') ? '127' : '133'}`;
      const created = await c.kubectl(['create', 'job', name, '--from=cronjob/tick'], { bin });
      assert.equal(created.code, 0, created.stderr);
      const wait = await c.kubectl(['wait', '--for=condition=complete', `job/${name}`, '--timeout=120s'], { bin, timeoutMs: 130_000 });
      assert.equal(wait.code, 0, wait.stderr);
      assert.equal((await c.k(['logs', `job/${name}`])).trim(), 'tick');
      const job = JSON.parse(await c.k(['get', 'job', name, '-o', 'json']));
      assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');
      assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    }
  });

  test('a ReplicationController from a manifest: runs, scales, and takes its pods when deleted', async () => {
    const file = writeTemp(c.home, 'rc.yaml', [
      'apiVersion: v1',
      'kind: ReplicationController',
      'metadata:',
      '  name: sleeper',
      'spec:',
      '  replicas: 2',
      '  template:',
      '    metadata:',
      '      labels:',
      '        app: sleeper',
      '    spec:',
      // sleep as PID 1 ignores SIGTERM: without a short grace period each deletion waits 30 s.
      '      terminationGracePeriodSeconds: 1',
      '      containers:',
      '      - name: main',
      '        image: busybox:1.36',
      '        command: ["sleep", "3600"]',
      '',
    ].join('\n'));
    for (const bin of clients) {
      const created = await c.kubectl(['create', '-f', file], { bin });
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout.trim(), 'replicationcontroller/sleeper created');
      await eventually(async () => {
        const rows = parseTable(await c.k(['get', 'rc', 'sleeper']));
        return rows[0]?.READY === '2' ? rows : undefined;
      }, 90_000);
      assert.deepEqual(Object.keys(parseTable(await c.k(['get', 'rc', 'sleeper', '-o', 'wide']))[0]), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
      const scaled = await c.kubectl(['scale', 'rc', 'sleeper', '--replicas=3'], { bin });
      assert.equal(scaled.code, 0, scaled.stderr);
      assert.equal(scaled.stdout.trim(), 'replicationcontroller/sleeper scaled');
      await eventually(async () => parseTable(await c.k(['get', 'rc', 'sleeper']))[0]?.READY === '3', 90_000);
      const scale = JSON.parse(await c.k(['get', '--raw', '/api/v1/namespaces/default/replicationcontrollers/sleeper/scale']));
      assert.deepEqual(scale.status, { replicas: 3, selector: 'app=sleeper' });
      const deleted = await c.kubectl(['delete', 'rc', 'sleeper'], { bin, timeoutMs: 120_000 });
      assert.equal(deleted.code, 0, deleted.stderr);
      await eventually(async () => parseTable(await c.k(['get', 'pods', '-l', 'app=sleeper'])).length === 0, 90_000);
    }
  });
});
