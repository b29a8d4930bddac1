import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { startApiFixture } from '../../testing/api-fixture.js';
import { templateGenerationAnnotation } from '../../api/daemonset-template-generation.js';

const daemonSets = resourceFor('daemonsets', 'apps');

const agent = (): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', annotations: { [templateGenerationAnnotation]: '7' } },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'agent:1' }] } } },
});

test('a DaemonSet is created with defaults, the four required counts and its template generation; updates bump it only with the template', async () => {
  const api = await startApiFixture();
  try {
    const client = api.client();
    const created = await client.create<DaemonSet>(daemonSets, 'default', { ...agent(), status: { currentNumberScheduled: 5, numberMisscheduled: 0, desiredNumberScheduled: 5, numberReady: 5 } });
    assert.equal(created.metadata.generation, 1);
    // PrepareForCreate keeps a client's template generation of at least 1.
    assert.equal(created.metadata.annotations?.[templateGenerationAnnotation], '7');
    assert.deepEqual(created.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
    assert.deepEqual(created.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(created.spec.revisionHistoryLimit, 10);

    const noGeneration = await client.create<DaemonSet>(daemonSets, 'default', { ...agent(), metadata: { name: 'plain' } });
    assert.equal(noGeneration.metadata.annotations?.[templateGenerationAnnotation], '1');

    const image = await client.patch<DaemonSet>(daemonSets, 'default', 'agent', 'strategic', {
      metadata: { annotations: { [templateGenerationAnnotation]: '100' } },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'agent:2' }] } } },
    });
    assert.equal(image.metadata.generation, 2);
    assert.equal(image.metadata.annotations?.[templateGenerationAnnotation], '8', 'the stored generation + 1, not the client value');

    const minReady = await client.patch<DaemonSet>(daemonSets, 'default', 'agent', 'merge', { spec: { minReadySeconds: 5 } });
    assert.equal(minReady.metadata.generation, 3);
    assert.equal(minReady.metadata.annotations?.[templateGenerationAnnotation], '8');
  } finally {
    await api.stop();
  }
});
