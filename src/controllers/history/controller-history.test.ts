import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision } from '../../api/types.js';
import { selectorFromSet } from '../../api/labels.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { startApiFixture } from '../../testing/api-fixture.js';
import { waitFor } from '../../testing/wait.js';
import {
  ControllerHistory,
  controllerRevisionHashLabel,
  controllerRevisionName,
  controllerRevisionsResource,
  equalRevision,
  findEqualRevisions,
  fnv32,
  hashControllerRevision,
  newControllerRevision,
  sortControllerRevisions,
  type RevisionParent,
} from './controller-history.js';

const enc = (s: string) => new TextEncoder().encode(s);
const kind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const parent = (name: string, uid: string): RevisionParent => ({ metadata: { name, namespace: 'default', uid } });
const patchFor = (image: string) => ({ spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'app', image }] } } } });

test('fnv32 is FNV-1 (hash/fnv New32) by its reference values', () => {
  assert.equal(fnv32(enc('')), 0x811c9dc5);
  assert.equal(fnv32(enc('a')), 0x050c5d7e);
  assert.equal(fnv32(enc('abc')), 0x439c2f4b);
  assert.equal(fnv32(enc('c'), fnv32(enc('ab'))), 0x439c2f4b);
});

test('controllerRevisionName joins prefix and hash and cuts the prefix to 223 characters', () => {
  assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
  const long = 'x'.repeat(300);
  assert.equal(controllerRevisionName(long, 'h'), `${'x'.repeat(223)}-h`);
});

test('newControllerRevision names, labels and owns the revision; the hash follows data and probe only', () => {
  const p = parent('web', 'uid-1');
  const cr = newControllerRevision(p, kind, { app: 'web' }, patchFor('nginx:1'), 1);
  const hash = hashControllerRevision(cr);
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(cr.metadata.name, `web-${hash}`);
  assert.deepEqual(cr.metadata.labels, { app: 'web', [controllerRevisionHashLabel]: hash });
  assert.deepEqual(cr.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
  assert.equal(cr.revision, 1);
  assert.equal(newControllerRevision(p, kind, {}, patchFor('nginx:1'), 7).metadata.name, cr.metadata.name);
  assert.notEqual(newControllerRevision(p, kind, {}, patchFor('nginx:2'), 1).metadata.name, cr.metadata.name);
  assert.notEqual(hashControllerRevision(cr, 0), hash);
  assert.notEqual(hashControllerRevision(cr, 1), hashControllerRevision(cr, 0));
});

test('sortControllerRevisions orders by revision, then creation time, then name, stably', () => {
  const r = (name: string, revision: number, ts: string): ControllerRevision => ({ metadata: { name, creationTimestamp: ts }, revision });
  const sorted = sortControllerRevisions([
    r('c', 2, '2024-01-01T00:00:01Z'),
    r('b', 2, '2024-01-01T00:00:00Z'),
    r('a', 2, '2024-01-01T00:00:01Z'),
    r('z', 1, '2024-01-01T00:00:09Z'),
  ]);
  assert.deepEqual(
    sorted.map((x) => x.metadata.name),
    ['z', 'b', 'a', 'c'],
  );
});

test('equalRevision compares data semantically; findEqualRevisions keeps order', () => {
  const p = parent('web', 'uid-1');
  const a = newControllerRevision(p, kind, {}, patchFor('nginx:1'), 1);
  const reordered = { ...a, data: { spec: { template: { spec: { containers: [{ image: 'nginx:1', name: 'app' }] }, $patch: 'replace' } } } };
  const b = newControllerRevision(p, kind, {}, patchFor('nginx:2'), 2);
  assert.equal(equalRevision(a, reordered), true);
  assert.equal(equalRevision(a, b), false);
  assert.equal(equalRevision(undefined, undefined), true);
  assert.equal(equalRevision(a, undefined), false);
  assert.deepEqual(findEqualRevisions([b, a, reordered], a), [a, reordered]);
});

test('ControllerHistory creates, finds collisions, lists owned and orphaned revisions, updates, adopts, releases and deletes', async () => {
  const fixture = await startApiFixture();
  const client = fixture.client();
  const informers = new InformerFactory(client);
  const informer = informers.for<ControllerRevision>(controllerRevisionsResource);
  informers.start();
  await informers.waitForSync();
  const history = new ControllerHistory(client, informer);
  const web = parent('web', 'uid-web');
  try {
    const rev1 = newControllerRevision(web, kind, { app: 'web' }, patchFor('nginx:1'), 1);
    const first = await history.create(web, rev1, 0);
    assert.equal(first.collisionCount, 0);
    assert.equal(first.revision.metadata.name, `web-${hashControllerRevision(rev1, 0)}`);
    assert.ok(first.revision.metadata.uid);

    // Creating the same data again finds the existing revision: no collision.
    const again = await history.create(web, rev1, 0);
    assert.equal(again.collisionCount, 0);
    assert.equal(again.revision.metadata.uid, first.revision.metadata.uid);

    // Another revision's data under the name rev2 hashes to is a collision: the count rises and the name changes.
    const rev2 = newControllerRevision(web, kind, { app: 'web' }, patchFor('nginx:2'), 2);
    const squatter: ControllerRevision = { metadata: { name: `web-${hashControllerRevision(rev2, 0)}`, namespace: 'default', labels: { app: 'web' } }, data: patchFor('other'), revision: 9 };
    await client.create(controllerRevisionsResource, 'default', squatter);
    const second = await history.create(web, rev2, 0);
    assert.equal(second.collisionCount, 1);
    assert.equal(second.revision.metadata.name, `web-${hashControllerRevision(rev2, 1)}`);
    assert.deepEqual(second.revision.data, patchFor('nginx:2'));

    // A revision owned by another parent is not listed; the orphan (squatter) is.
    const other = newControllerRevision(parent('other', 'uid-other'), kind, { app: 'web' }, patchFor('nginx:1'), 1);
    await history.create(parent('other', 'uid-other'), other, 0);
    const listed = await waitFor(() => {
      const l = history.list(web, selectorFromSet({ app: 'web' }));
      return l.length === 3 ? l : undefined;
    }, 10_000, 'three revisions listed');
    assert.deepEqual(
      sortControllerRevisions(listed).map((r) => r.metadata.name),
      [first.revision.metadata.name, second.revision.metadata.name, squatter.metadata.name],
    );
    assert.deepEqual(history.list(web, selectorFromSet({ app: 'db' })), []);

    const renumbered = await history.update(first.revision, 3);
    assert.equal(renumbered.revision, 3);
    // A stale copy conflicts; the update retries from the cache.
    await waitFor(() => informer.getByName('default', first.revision.metadata.name!)?.revision === 3, 10_000, 'cache sees revision 3');
    const again4 = await history.update(first.revision, 4);
    assert.equal(again4.revision, 4);

    const orphan = await client.get<ControllerRevision>(controllerRevisionsResource, 'default', squatter.metadata.name!);
    const adopted = await history.adopt(web, kind, orphan);
    assert.equal(adopted.metadata.ownerReferences?.[0]?.uid, 'uid-web');
    await assert.rejects(history.adopt(web, kind, adopted), /attempt to adopt revision owned by StatefulSet web/);
    const released = await history.release(web, adopted);
    assert.deepEqual(released?.metadata.ownerReferences ?? [], []);
    await history.delete(released!);
    assert.equal(await history.release(web, released!), undefined);
    await assert.rejects(client.get(controllerRevisionsResource, 'default', squatter.metadata.name!), /not found/);
  } finally {
    informers.stop();
    await fixture.stop();
  }
});
