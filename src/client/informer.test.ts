import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from '../api/types.js';
import { resourceFor } from './api-client.js';
import { Informer } from './informer.js';
import { startApiFixture } from '../testing/api-fixture.js';
import { waitFor } from '../testing/wait.js';

const configMaps = resourceFor('configmaps');

test('indexes: objects and counts by value follow adds, updates and deletes', async () => {
  const fixture = await startApiFixture();
  const client = fixture.client();
  const informer = new Informer<ConfigMap>(client, configMaps, { namespace: 'default' });
  try {
    const cm = (name: string, color: string): ConfigMap => ({ metadata: { name, labels: { color } }, data: {} });
    await client.create(configMaps, 'default', cm('a', 'red'));
    informer.addIndex('color', (o) => [o.metadata.labels?.color ?? '']);
    assert.equal(informer.hasIndex('color'), true);
    assert.equal(informer.hasIndex('shape'), false);
    informer.start();
    await informer.waitForSync();
    await client.create(configMaps, 'default', cm('b', 'red'));
    await client.create(configMaps, 'default', cm('c', 'blue'));
    await waitFor(() => informer.countByIndex('color', 'blue') === 1);
    assert.equal(informer.countByIndex('color', 'red'), 2);
    assert.deepEqual(informer.byIndex('color', 'red').map((o) => o.metadata.name).sort(), ['a', 'b']);
    assert.equal(informer.countByIndex('color', 'green'), 0);

    const c = informer.getByName('default', 'c')!;
    await client.update(configMaps, { ...c, metadata: { ...c.metadata, labels: { color: 'red' } } });
    await waitFor(() => informer.countByIndex('color', 'red') === 3);
    assert.equal(informer.countByIndex('color', 'blue'), 0);
    await client.delete(configMaps, 'default', 'a');
    await waitFor(() => informer.countByIndex('color', 'red') === 2);
    assert.throws(() => informer.countByIndex('shape', 'round'), /no index shape/);
  } finally {
    informer.stop();
    await fixture.stop();
  }
});
