import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ReplicationController } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { startControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { newReplicationManager } from './replication-manager.js';

const rcResource = resourceFor('replicationcontrollers');

test('a ReplicationController keeps its replicas with the ReplicaSet logic, owning pods as a v1 ReplicationController', async () => {
  const h = await startControllerHarness({ controllers: [newReplicationManager], kubelet: true });
  try {
    const rc = await h.client.create<ReplicationController>(rcResource, 'default', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'nginx' },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
    });
    assert.deepEqual(rc.spec.selector, { app: 'nginx' });
    const live = () => h.pods().filter((p: Pod) => p.metadata.labels?.app === 'nginx' && !p.metadata.deletionTimestamp);
    const pods = await waitFor(() => (live().length === 2 ? live() : undefined));
    for (const p of pods) {
      assert.match(p.metadata.name!, /^nginx-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'nginx', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    const status = await waitFor(async () => {
      const cur = await h.client.get<ReplicationController>(rcResource, 'default', 'nginx');
      return cur.status?.readyReplicas === 2 && cur.status.availableReplicas === 2 ? cur : undefined;
    });
    assert.deepEqual(status.status, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
    // The selector stays a label map after the controller's status write.
    assert.deepEqual(status.spec.selector, { app: 'nginx' });
    await h.client.patch(rcResource, 'default', 'nginx', 'merge', { spec: { replicas: 0 } });
    await waitFor(() => (live().length === 0 ? true : undefined));
    const events = await h.events();
    assert.ok(events.some((e) => e.reason === 'SuccessfulDelete' && e.involvedObject.kind === 'ReplicationController'));
    assert.ok(events.every((e) => e.source?.component === 'replication-controller'));
  } finally {
    await h.stop();
  }
});
