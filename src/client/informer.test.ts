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

test('stripManagedFields keeps cached objects without managedFields (listed or watched); the stored ones stay', async () => {
  const fixture = await startApiFixture();
  const client = fixture.client();
  const stripped = new Informer<ConfigMap>(client, configMaps, { namespace: 'default', stripManagedFields: true });
  const kept = new Informer<ConfigMap>(client, configMaps, { namespace: 'default' });
  try {
    await client.create(configMaps, 'default', { metadata: { name: 'listed' }, data: { a: '1' } });
    for (const i of [stripped, kept]) i.start();
    await Promise.all([stripped.waitForSync(), kept.waitForSync()]);
    await client.create(configMaps, 'default', { metadata: { name: 'watched' }, data: { b: '2' } });
    await waitFor(() => stripped.getByName('default', 'watched') && kept.getByName('default', 'watched'));
    for (const name of ['listed', 'watched']) {
      assert.equal(stripped.getByName('default', name)!.metadata.managedFields, undefined);
      assert.equal(kept.getByName('default', name)!.metadata.managedFields?.[0]?.manager, 'test');
    }
    // An update sent from the stripped cache keeps the stored managedFields.
    const cached = stripped.getByName('default', 'listed')!;
    const updated = await client.update(configMaps, { ...cached, data: { a: '2' } });
    assert.equal(updated.metadata.managedFields?.[0]?.manager, 'test');
  } finally {
    stripped.stop();
    kept.stop();
    await fixture.stop();
  }
});

test('cached objects carry apiVersion and kind, listed (the list leaves them off its items) or watched', async () => {
  const fixture = await startApiFixture();
  const client = fixture.client();
  const informer = new Informer<ConfigMap>(client, configMaps, { namespace: 'default' });
  try {
    await client.create(configMaps, 'default', { metadata: { name: 'listed' }, data: {} });
    const page = await client.list<ConfigMap>(configMaps, 'default');
    assert.equal(page.items[0].kind, undefined, 'the API server writes list items without a kind');
    informer.start();
    await informer.waitForSync();
    await client.create(configMaps, 'default', { metadata: { name: 'watched' }, data: {} });
    await waitFor(() => informer.getByName('default', 'watched'));
    for (const name of ['listed', 'watched']) {
      const o = informer.getByName('default', name)!;
      assert.deepEqual([o.apiVersion, o.kind], ['v1', 'ConfigMap'], name);
    }
  } finally {
    informer.stop();
    await fixture.stop();
  }
});
