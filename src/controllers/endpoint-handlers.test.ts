import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { Informer } from '../client/informer.js';
import { startApiFixture } from '../testing/api-fixture.js';
import { createService } from '../testing/service-objects.js';
import { serviceSelectsPod } from './endpoint-util.js';
import { servicesThatMaySelect } from './endpoint-handlers.js';

const pod = (namespace: string, labels: Record<string, string>): Pod => ({ metadata: { name: 'p', namespace, labels }, spec: { containers: [] } });

test('servicesThatMaySelect finds every Service selecting the pods, through one selector pair', async () => {
  const fixture = await startApiFixture();
  const client = fixture.client();
  const services = new Informer<Service>(client, resourceFor('services'));
  try {
    const port = [{ port: 80 }];
    await createService(client, 'web', { selector: { app: 'web' }, ports: port });
    await createService(client, 'web-frontend', { selector: { app: 'web', tier: 'frontend' }, ports: port });
    await createService(client, 'frontend', { selector: { tier: 'frontend' }, ports: port });
    await createService(client, 'api', { selector: { app: 'api' }, ports: port });
    await createService(client, 'manual', { ports: port });
    await client.create(resourceFor('namespaces'), undefined, { metadata: { name: 'other' } });
    await client.create(resourceFor('services'), 'other', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: port } });
    services.start();
    await services.waitForSync();

    const names = (list: Service[]) => list.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort();
    const frontend = pod('default', { app: 'web', tier: 'frontend' });
    const candidates = servicesThatMaySelect(services, frontend);
    // A superset of the selecting Services, never one from another namespace or without a selector.
    assert.deepEqual(names(candidates.filter((s) => serviceSelectsPod(s, frontend))), ['default/frontend', 'default/web', 'default/web-frontend']);
    assert.ok(candidates.every((s) => s.metadata.namespace === 'default' && s.metadata.name !== 'manual'));
    assert.deepEqual(names(servicesThatMaySelect(services, pod('default', { app: 'api' }))), ['default/api']);
    assert.deepEqual(names(servicesThatMaySelect(services, pod('default', { app: 'db' }))), []);
    assert.deepEqual(names(servicesThatMaySelect(services, pod('other', { app: 'web' }))), ['other/web']);
    // Old and new pods of an update together, each Service once.
    assert.deepEqual(names(servicesThatMaySelect(services, pod('default', { app: 'api' }), pod('default', { app: 'api', tier: 'frontend' }))), ['default/api', 'default/frontend']);
  } finally {
    services.stop();
    await fixture.stop();
  }
});
