// The Job controller against a real API server, with the test acting as the kubelet that
// finishes pods (phase Succeeded / Failed and a terminated container).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, Pod } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { newJobController } from './job-controller.js';
import { jobTrackingFinalizer } from './job-pods.js';

const jobsResource = resourceFor('jobs', 'batch');
const podsResource = resourceFor('pods');

function newJob(name: string, spec: Partial<Job['spec']> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } }, ...spec },
  };
}

function podsOf(h: ControllerHarness, job: string): Pod[] {
  return h.pods().filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === job);
}

/** What a kubelet reports when the pod's only container exits. */
async function finish(h: ControllerHarness, pod: Pod, exitCode: number): Promise<void> {
  const now = new Date().toISOString();
  const phase = exitCode === 0 ? 'Succeeded' : 'Failed';
  const cur = await h.client.get<Pod>(podsResource, pod.metadata.namespace, pod.metadata.name!);
  await h.client.updateStatus(podsResource, {
    ...cur,
    status: {
      ...cur.status,
      phase,
      containerStatuses: [
        { name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: now } } },
      ],
    },
  });
}

/** Runs body against the Job controller with a test kubelet, stopping the harness after. */
async function withJobController(body: (h: ControllerHarness) => Promise<void>): Promise<void> {
  const h = await startControllerHarness({ controllers: [newJobController], kubelet: true });
  try {
    await body(h);
  } finally {
    await h.stop();
  }
}

async function jobWhen(h: ControllerHarness, name: string, ok: (j: Job) => boolean, what: string): Promise<Job> {
  return waitFor(async () => {
    const j = await h.client.get<Job>(jobsResource, 'default', name);
    return ok(j) ? j : undefined;
  }, 10_000, what);
}

test('completions run one pod at a time to Complete; pods carry the tracking finalizer until counted', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('pi', { completions: 2, parallelism: 1 }));
    for (let i = 0; i < 2; i++) {
      const pod = await waitFor(() => podsOf(h, 'pi').find((p) => p.status?.phase === 'Running'), 10_000, `pod ${i}`);
      assert.match(pod.metadata.name!, /^pi-[a-z0-9]{5}$/);
      assert.deepEqual(pod.metadata.finalizers, [jobTrackingFinalizer]);
      assert.equal(pod.metadata.ownerReferences?.[0].kind, 'Job');
      const running = await jobWhen(h, 'pi', (j) => j.status?.active === 1 && j.status.ready === 1, 'active and ready');
      assert.ok(running.status?.startTime);
      await finish(h, pod, 0);
      await waitFor(() => !h.pods().find((p) => p.metadata.uid === pod.metadata.uid)?.metadata.finalizers?.length, 10_000, 'finalizer removed');
    }
    const done = await jobWhen(h, 'pi', (j) => !!j.status?.completionTime, 'Complete');
    const { conditions, startTime, completionTime, ...counts } = done.status!;
    assert.ok(startTime && completionTime);
    assert.deepEqual(counts, { succeeded: 2, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    assert.deepEqual(
      conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
      [
        ['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
        ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ],
    );
    const events = await h.events();
    assert.equal(events.filter((e) => e.reason === 'SuccessfulCreate' && /^Created pod: pi-/.test(e.message ?? '')).length, 2);
    assert.ok(events.some((e) => e.reason === 'Completed' && e.message === 'Job completed'));
  });
});

test('failed pods past backoffLimit fail the Job: FailureTarget, then Failed', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('fail', { backoffLimit: 0 }));
    const pod = await waitFor(() => podsOf(h, 'fail').find((p) => p.status?.phase === 'Running'));
    await finish(h, pod, 1);
    const failed = await jobWhen(h, 'fail', (j) => !!j.status?.conditions?.some((c) => c.type === 'Failed'), 'Failed');
    assert.equal(failed.status?.failed, 1);
    assert.equal(failed.status?.completionTime, undefined);
    assert.deepEqual(
      failed.status?.conditions?.map((c) => [c.type, c.reason, c.message]),
      [
        ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
        ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ],
    );
    const events = await h.events();
    assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'BackoffLimitExceeded' && e.message === 'Job has reached the specified backoff limit'));
  });
});

test('a FailJob pod failure policy rule fails the Job at the first matching exit code', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('pfp', { backoffLimit: 6, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } }));
    const pod = await waitFor(() => podsOf(h, 'pfp').find((p) => p.status?.phase === 'Running'));
    await finish(h, pod, 42);
    const failed = await jobWhen(h, 'pfp', (j) => !!j.status?.conditions?.some((c) => c.type === 'Failed'), 'Failed');
    assert.equal(failed.status?.conditions?.find((c) => c.type === 'Failed')?.reason, 'PodFailurePolicy');
    assert.equal(
      failed.status?.conditions?.find((c) => c.type === 'Failed')?.message,
      `Container main for pod default/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`,
    );
  });
});

test('Indexed: one pod per index with its annotation, label, hostname and JOB_COMPLETION_INDEX; completedIndexes', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('idx', { completions: 3, parallelism: 2, completionMode: 'Indexed' }));
    const first = await waitFor(() => {
      const running = podsOf(h, 'idx').filter((p) => p.status?.phase === 'Running');
      return running.length === 2 ? running : undefined;
    });
    const indexes = first.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
    assert.deepEqual(indexes, ['0', '1']);
    for (const p of first) {
      const ix = p.metadata.annotations!['batch.kubernetes.io/job-completion-index'];
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], ix);
      assert.equal(p.spec.hostname, `idx-${ix}`);
      assert.match(p.metadata.name!, new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
      assert.deepEqual(p.spec.containers[0].env, [
        { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } },
      ]);
    }
    const one = first.find((p) => p.metadata.annotations!['batch.kubernetes.io/job-completion-index'] === '1')!;
    await finish(h, one, 0);
    await jobWhen(h, 'idx', (j) => j.status?.completedIndexes === '1', 'index 1 completed');
    const third = await waitFor(() => podsOf(h, 'idx').find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '2' && p.status?.phase === 'Running'));
    await finish(h, third, 0);
    await finish(h, first.find((p) => p !== one)!, 0);
    const done = await jobWhen(h, 'idx', (j) => !!j.status?.completionTime, 'Complete');
    assert.equal(done.status?.completedIndexes, '0-2');
    assert.equal(done.status?.succeeded, 3);
  });
});

test('activeDeadlineSeconds fails the Job with DeadlineExceeded and removes its pods', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('late', { activeDeadlineSeconds: 1 }));
    await waitFor(() => podsOf(h, 'late').find((p) => p.status?.phase === 'Running'));
    const failed = await jobWhen(h, 'late', (j) => !!j.status?.conditions?.some((c) => c.type === 'Failed'), 'Failed');
    assert.deepEqual(
      failed.status?.conditions?.map((c) => [c.type, c.reason, c.message]),
      [
        ['FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
        ['Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
      ],
    );
    assert.equal(failed.status?.failed, 1);
    await waitFor(() => podsOf(h, 'late').length === 0, 10_000, 'pods gone');
  });
});

test('suspend deletes the active pods without counting failures; resume starts again', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('sus'));
    await waitFor(() => podsOf(h, 'sus').find((p) => p.status?.phase === 'Running'));
    await h.client.patch(jobsResource, 'default', 'sus', 'merge', { spec: { suspend: true } });
    const suspended = await jobWhen(h, 'sus', (j) => !!j.status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True') && !j.status.active, 'Suspended');
    assert.equal(suspended.status?.failed, undefined);
    assert.equal(suspended.status?.startTime, undefined);
    await waitFor(() => podsOf(h, 'sus').length === 0, 10_000, 'pods gone');
    await h.client.patch(jobsResource, 'default', 'sus', 'merge', { spec: { suspend: false } });
    const resumed = await jobWhen(h, 'sus', (j) => j.status?.active === 1, 'resumed');
    assert.deepEqual(resumed.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [['Suspended', 'False', 'JobResumed']]);
    const events = await h.events();
    assert.ok(events.some((e) => e.reason === 'Suspended' && e.message === 'Job suspended'));
    assert.ok(events.some((e) => e.reason === 'Resumed' && e.message === 'Job resumed'));
  });
});

test('a deleted Job leaves no tracking finalizer on its pods (orphan cleanup)', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('gone'));
    const pod = await waitFor(() => podsOf(h, 'gone').find((p) => p.status?.phase === 'Running'));
    assert.deepEqual(pod.metadata.finalizers, [jobTrackingFinalizer]);
    await h.client.delete(jobsResource, 'default', 'gone', { propagationPolicy: 'Background' });
    await waitFor(() => podsOf(h, 'gone').find((p) => p.metadata.uid === pod.metadata.uid && !p.metadata.finalizers?.length), 10_000, 'finalizer removed');
  });
});

test('a success policy completes an Indexed Job early and removes the other pods', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('leader', { completions: 3, parallelism: 3, completionMode: 'Indexed', successPolicy: { rules: [{ succeededIndexes: '0' }] } }));
    const pods = await waitFor(() => {
      const running = podsOf(h, 'leader').filter((p) => p.status?.phase === 'Running');
      return running.length === 3 ? running : undefined;
    });
    await finish(h, pods.find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '0')!, 0);
    const done = await jobWhen(h, 'leader', (j) => !!j.status?.completionTime, 'Complete');
    assert.deepEqual(
      done.status?.conditions?.map((c) => [c.type, c.reason, c.message]),
      [
        ['SuccessCriteriaMet', 'SuccessPolicy', 'Matched rules at index 0'],
        ['Complete', 'SuccessPolicy', 'Matched rules at index 0'],
      ],
    );
    assert.equal(done.status?.completedIndexes, '0');
    await waitFor(() => podsOf(h, 'leader').every((p) => p.status?.phase === 'Succeeded' || !p.metadata.finalizers?.length), 10_000, 'others released');
  });
});

test('backoffLimitPerIndex: a failed index is kept in failedIndexes and fails the Job once every index is done', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('perindex', { completions: 2, parallelism: 2, completionMode: 'Indexed', backoffLimitPerIndex: 0 }));
    const pods = await waitFor(() => {
      const running = podsOf(h, 'perindex').filter((p) => p.status?.phase === 'Running');
      return running.length === 2 ? running : undefined;
    });
    for (const p of pods) assert.equal(p.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'], '0');
    const byIndex = (ix: string) => pods.find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === ix)!;
    await finish(h, byIndex('0'), 1);
    await jobWhen(h, 'perindex', (j) => j.status?.failedIndexes === '0', 'index 0 failed');
    // No replacement for a failed index.
    assert.equal(podsOf(h, 'perindex').length, 2);
    await finish(h, byIndex('1'), 0);
    const failed = await jobWhen(h, 'perindex', (j) => !!j.status?.conditions?.some((c) => c.type === 'Failed'), 'Failed');
    assert.deepEqual([failed.status?.completedIndexes, failed.status?.failedIndexes, failed.status?.succeeded, failed.status?.failed], ['1', '0', 1, 1]);
    assert.deepEqual(
      failed.status?.conditions?.map((c) => [c.type, c.reason, c.message]),
      [
        ['FailureTarget', 'FailedIndexes', 'Job has failed indexes'],
        ['Failed', 'FailedIndexes', 'Job has failed indexes'],
      ],
    );
  });
});

test('backoffLimitPerIndex over 2^31-1 completions: a failed index backs off and the next indexes start, without walking every index', async () => {
  await withJobController(async (h) => {
    const spec = { completions: 2 ** 31 - 1, parallelism: 2, completionMode: 'Indexed' as const, backoffLimitPerIndex: 1, maxFailedIndexes: 10 };
    await h.client.create(jobsResource, 'default', newJob('huge', spec));
    const pods = await waitFor(() => {
      const running = podsOf(h, 'huge').filter((p) => p.status?.phase === 'Running');
      return running.length === 2 ? running : undefined;
    });
    const index = (p: Pod) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];
    assert.deepEqual(pods.map(index).sort(), ['0', '1']);
    // Index 0 fails once: it waits out its back-off, so index 2 takes its place meanwhile.
    await finish(h, pods.find((p) => index(p) === '0')!, 1);
    const next = await waitFor(() => podsOf(h, 'huge').find((p) => index(p) === '2'), 10_000, 'index 2 started');
    assert.equal(next.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'], '0');
  });
});

test('a NonIndexed Job of parallelism 2^31-1 creates pods in bursts of at most 500 a sync', async () => {
  await withJobController(async (h) => {
    await h.client.create(jobsResource, 'default', newJob('wide', { parallelism: 2 ** 31 - 1 }));
    // The first sync creates 500; the next burst follows once the creations are observed.
    await waitFor(() => podsOf(h, 'wide').length > 500 || undefined, 30_000, 'a second burst');
    // The status counts the pods that exist.
    await jobWhen(h, 'wide', (j) => (j.status?.active ?? 0) >= 500, 'active counted');
  });
});
