// The disruption controller and the eviction subresource together, over a real API server:
// budgets computed from a Deployment's pods, evictions spending them, 429 past the budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import type { Pod, PodDisruptionBudget, Status } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { testDeployment } from '../../testing/workload-objects.js';
import { newDeploymentController } from '../deployment/deployment-controller.js';
import { newReplicaSetController } from '../replicaset-controller.js';
import { newDisruptionController } from './disruption-controller.js';

const deployments = resourceFor('deployments', 'apps');
const pdbs = resourceFor('poddisruptionbudgets', 'policy');
const pods = resourceFor('pods');

const deployment = testDeployment;

function budget(name: string, spec: PodDisruptionBudget['spec']): PodDisruptionBudget {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec };
}

function evict(client: ApiClient, name: string, dryRun = false): Promise<Status> {
  const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, ...(dryRun ? { deleteOptions: { dryRun: ['All'] } } : {}) };
  return client.post<Status>(pods, 'default', name, 'eviction', body);
}

async function rejected(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  assert.fail('expected the eviction to be refused');
}

function runningPods(h: ControllerHarness, app: string, n: number): Promise<Pod[]> {
  return waitFor(() => {
    const ps = h.pods().filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ps.length === n && ps;
  }, 10_000, `${n} ready pods of ${app}`);
}

function budgetStatus(client: ApiClient, name: string, ok: (pdb: PodDisruptionBudget) => boolean): Promise<PodDisruptionBudget> {
  return waitFor(async () => {
    const pdb = await client.get<PodDisruptionBudget>(pdbs, 'default', name);
    return ok(pdb) && pdb;
  }, 10_000, `status of budget ${name}`);
}

test('minAvailable 2 over 3 replicas: one eviction allowed, the next refused with 429 until a replacement is Ready', async () => {
  const h = await startControllerHarness({ controllers: [newReplicaSetController, newDeploymentController, newDisruptionController], kubelet: true });
  try {
    await h.client.create(deployments, 'default', deployment('web', 3));
    await h.client.create(pdbs, 'default', budget('web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }));
    const ready = await runningPods(h, 'web', 3);
    const pdb = await budgetStatus(h.client, 'web', (p) => p.status?.disruptionsAllowed === 1 && p.status.currentHealthy === 3);
    assert.deepEqual(
      { ...pdb.status, conditions: undefined },
      { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, conditions: undefined },
    );
    assert.deepEqual(pdb.status!.conditions!.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);

    // A dry run spends nothing and deletes nothing.
    assert.equal((await evict(h.client, ready[0].metadata.name!, true)).status, 'Success');
    assert.equal((await h.client.get<PodDisruptionBudget>(pdbs, 'default', 'web')).status!.disruptionsAllowed, 1);

    // Hold the replacement back so the budget stays spent.
    h.kubelet!.holdReady = true;
    const ok = await evict(h.client, ready[0].metadata.name!);
    assert.deepEqual(ok, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    const gone = await h.client.get<Pod>(pods, 'default', ready[0].metadata.name!).catch(() => undefined);
    if (gone) assert.ok(gone.metadata.deletionTimestamp, 'the evicted pod is being deleted');
    if (gone) assert.ok(gone.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.reason === 'EvictionByEvictionAPI'));

    const err = await rejected(evict(h.client, ready[1].metadata.name!));
    assert.equal(err.code, 429);
    assert.equal(err.reason, 'TooManyRequests');
    assert.equal(err.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(err.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }]);

    // The replacement turns Ready: the budget allows one disruption again.
    h.kubelet!.holdReady = false;
    const fresh = await waitFor(async () => {
      const p = (await h.client.list<Pod>(pods, 'default', { labelSelector: 'app=web' })).items.find((x) => !ready.some((r) => r.metadata.name === x.metadata.name));
      return p;
    });
    // The test kubelet acts on pod changes: touch the held pod so it reports it Ready.
    await h.client.patch(pods, 'default', fresh.metadata.name!, 'merge', { metadata: { labels: { touched: 'yes' } } });
    await budgetStatus(h.client, 'web', (p) => p.status?.disruptionsAllowed === 1 && p.status.currentHealthy === 3);
    assert.equal((await evict(h.client, ready[1].metadata.name!)).status, 'Success');
  } finally {
    await h.stop();
  }
});

test('eviction rules on budgets the test writes: still being processed, unready pods under IfHealthyBudget and AlwaysAllow, two budgets', async () => {
  // No disruption controller: the test writes each budget's status as the controller would.
  const h = await startControllerHarness({ controllers: [newReplicaSetController, newDeploymentController], kubelet: true });
  try {
    h.kubelet!.holdReady = true;
    await h.client.create(deployments, 'default', deployment('api', 2));
    const [unready] = await waitFor(() => {
      const ps = h.pods().filter((p) => p.metadata.labels?.app === 'api' && p.status?.phase === 'Running');
      return ps.length === 2 && ps;
    });
    const a = await h.client.create<PodDisruptionBudget>(pdbs, 'default', budget('a', { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } }));

    // Generation 1, status never computed.
    const busy = await rejected(evict(h.client, unready.metadata.name!));
    assert.equal(busy.code, 429);
    assert.deepEqual(busy.status.details, {
      causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget a is still being processed by the server.' }],
      retryAfterSeconds: 10,
    });

    // The application is otherwise healthy (2 of 1 needed): an unready pod goes without spending the budget.
    await h.client.updateStatus(pdbs, { ...a, status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } });
    assert.equal((await evict(h.client, unready.metadata.name!)).status, 'Success');
    const after = await h.client.get<PodDisruptionBudget>(pdbs, 'default', 'a');
    assert.equal(after.status!.disruptionsAllowed, 1);
    assert.equal(after.status!.disruptedPods, undefined);

    // The application is down to 0 of 2 healthy: IfHealthyBudget keeps an unready pod; AlwaysAllow lets it go.
    const second = h.pods().find((p) => p.metadata.labels?.app === 'api' && p.metadata.name !== unready.metadata.name && !p.metadata.deletionTimestamp)!;
    const down = { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 2, expectedPods: 2 };
    await h.client.updateStatus(pdbs, { ...after, status: down });
    assert.equal((await rejected(evict(h.client, second.metadata.name!))).code, 429);
    const always = await h.client.patch<PodDisruptionBudget>(pdbs, 'default', 'a', 'merge', { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } });
    await h.client.updateStatus(pdbs, { ...always, status: { ...down, observedGeneration: 2 } });
    assert.equal((await evict(h.client, second.metadata.name!)).status, 'Success');

    // Two budgets over the same pods.
    await h.client.create(pdbs, 'default', budget('b', { maxUnavailable: '50%', selector: { matchLabels: { app: 'api' } } }));
    const other = await waitFor(() => h.pods().find((p) => p.metadata.labels?.app === 'api' && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp));
    const err = await rejected(evict(h.client, other.metadata.name!));
    assert.equal(err.code, 500);
    assert.equal(err.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  } finally {
    await h.stop();
  }
});

test('no eviction in a namespace being terminated (NamespaceLifecycle), with the cause kubectl drain looks for', async () => {
  // No namespace controller: a deleted namespace stays Terminating.
  const h = await startControllerHarness({ controllers: [] });
  try {
    const namespaces = resourceFor('namespaces');
    await h.client.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'leaving' } });
    await h.client.create(pods, 'leaving', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await h.client.delete(namespaces, undefined, 'leaving');
    const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'leaving' } };
    const err = await rejected(h.client.post(pods, 'leaving', 'p', 'eviction', body));
    assert.equal(err.code, 403);
    assert.equal(err.message, 'pods "p" is forbidden: unable to create new content in namespace leaving because it is being terminated');
    assert.deepEqual(err.status.details?.causes, [{ reason: 'NamespaceTerminating', message: 'namespace leaving is being terminated', field: 'metadata.namespace' }]);
  } finally {
    await h.stop();
  }
});

test('pending and finished pods are evicted whatever their budget says', async () => {
  const h = await startControllerHarness({ controllers: [] });
  try {
    const pdb = await h.client.create<PodDisruptionBudget>(pdbs, 'default', budget('all', { minAvailable: 5, selector: { matchLabels: { app: 'x' } } }));
    await h.client.updateStatus(pdbs, { ...pdb, status: { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 5, expectedPods: 2 } });
    const mk = (name: string) => h.client.create<Pod>(pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await mk('pending');
    const done = await mk('done');
    await h.client.updateStatus(pods, { ...done, status: { ...done.status, phase: 'Succeeded' } });
    for (const name of ['pending', 'done']) {
      assert.equal((await evict(h.client, name)).status, 'Success');
      assert.equal((await rejected(h.client.get(pods, 'default', name))).code, 404);
    }
    assert.equal((await h.client.get<PodDisruptionBudget>(pdbs, 'default', 'all')).status!.disruptionsAllowed, 0);
  } finally {
    await h.stop();
  }
});
