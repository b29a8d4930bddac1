import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet, Pod } from '../../api/types.js';
import { daemonSetHash, daemonSetPatch, matchesRevision, revisionsToDelete } from './daemonset-history.js';

function daemonSet(image: string, revisionHistoryLimit = 10): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'default', uid: 'u' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image, env: [{ name: 'MODE', value: '' }] }], hostNetwork: false } },
      revisionHistoryLimit,
    },
  };
}

test("a revision's data is the template patch kubectl computes: $patch replace, Go's typed encoding, keys sorted", () => {
  assert.equal(
    JSON.stringify(daemonSetPatch(daemonSet('nginx:1').spec.template)),
    '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"agent"}},"spec":{"containers":[{"env":[{"name":"MODE"}],"image":"nginx:1","name":"agent","resources":{}}]}}}}',
  );
});

function revision(name: string, n: number, ds: DaemonSet): ControllerRevision {
  return { metadata: { name, labels: { 'controller-revision-hash': name } }, data: daemonSetPatch(ds.spec.template), revision: n };
}

test('a revision matches the DaemonSet whose template it restores; the hash follows the template and collisionCount', () => {
  const ds = daemonSet('nginx:1');
  assert.ok(matchesRevision(ds, revision('a', 1, ds)));
  assert.ok(!matchesRevision(daemonSet('nginx:2'), revision('a', 1, ds)));
  assert.equal(daemonSetHash(ds), daemonSetHash(daemonSet('nginx:1')));
  assert.notEqual(daemonSetHash(ds), daemonSetHash(daemonSet('nginx:2')));
  assert.notEqual(daemonSetHash(ds), daemonSetHash({ ...ds, status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, collisionCount: 1 } }));
  assert.match(daemonSetHash(ds), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
});

test('history cleanup deletes the oldest revisions beyond the limit that no live pod runs', () => {
  const ds = daemonSet('nginx:9', 2);
  const old = [5, 1, 3, 2, 4].map((n) => revision(`r${n}`, n, daemonSet(`nginx:${n}`)));
  const pod: Pod = { metadata: { labels: { 'controller-revision-hash': 'r1' } }, spec: { containers: [] } };
  // Five old revisions, two kept: three go, oldest first, skipping r1 which a pod still runs.
  assert.deepEqual(revisionsToDelete(ds, old, [pod]).map((r) => r.metadata.name), ['r2', 'r3', 'r4']);
  assert.deepEqual(revisionsToDelete(daemonSet('nginx:9', 10), old, []), []);
});
