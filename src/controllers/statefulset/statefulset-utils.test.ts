import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, StatefulSet } from '../../api/types.js';
import {
  newVersionedStatefulSetPod,
  parentNameAndOrdinal,
  podInOrdinalRange,
  storageMatches,
} from './statefulset-utils.js';
import { applyRevision, getPatch, newRevision } from './statefulset-revision.js';
import { completeRollingUpdate } from './statefulset-status.js';
import { updateClaimOwnerRefForSetAndPod } from './claim-retention.js';

const set = (extra: Partial<StatefulSet['spec']> = {}): StatefulSet => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', annotations: { 'kubernetes.io/change-cause': 'first' } },
  spec: {
    replicas: 3,
    serviceName: 'nginx',
    selector: { matchLabels: { app: 'nginx' } },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }], volumes: [{ name: 'www', emptyDir: {} }, { name: 'cfg', emptyDir: {} }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www', labels: { tier: 'data' } }, spec: {} }],
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    ...extra,
  },
  status: { replicas: 0, availableReplicas: 0 },
});
const pod = (name: string): Pod => ({ metadata: { name }, spec: { containers: [] } });

test('parentNameAndOrdinal splits on the last dash; names without an ordinal give -1', () => {
  assert.deepEqual(parentNameAndOrdinal(pod('my-web-12')), { parent: 'my-web', ordinal: 12 });
  assert.deepEqual(parentNameAndOrdinal(pod('web')), { parent: '', ordinal: -1 });
  assert.deepEqual(parentNameAndOrdinal(pod('web-99999999999')), { parent: 'web', ordinal: -1 });
});

test('ordinals start at spec.ordinals.start', () => {
  const s = set({ ordinals: { start: 5 }, replicas: 2 });
  assert.deepEqual(['web-4', 'web-5', 'web-6', 'web-7'].map((n) => podInOrdinalRange(pod(n), s)), [false, true, true, false]);
});

test('a versioned pod: claims replace template volumes of the same name; the partition decides the revision', () => {
  const current = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  const update = set({ template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } });
  const below = newVersionedStatefulSetPod(current, update, 'web-a', 'web-b', 1);
  assert.equal(below.metadata.labels?.['controller-revision-hash'], 'web-a');
  assert.equal(below.spec.containers[0].image, 'nginx:1.25');
  assert.deepEqual(below.spec.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } }, { name: 'cfg', emptyDir: {} }]);
  assert.equal(storageMatches(current, below), true);
  const above = newVersionedStatefulSetPod(current, update, 'web-a', 'web-b', 2);
  assert.equal(above.metadata.labels?.['controller-revision-hash'], 'web-b');
  assert.equal(above.spec.containers[0].image, 'nginx:1.26');
  assert.equal(storageMatches(current, pod('web-2')), false);
});

test('a revision is the template as a $patch: replace, keys sorted, with the set annotations; applying it restores the template', () => {
  const s = set();
  assert.deepEqual(Object.keys(getPatch(s).spec.template), ['$patch', 'metadata', 'spec']);
  assert.deepEqual(getPatch(s).spec.template.metadata, { creationTimestamp: null, labels: { app: 'nginx' } });
  const rev = newRevision(s, 4, 0);
  assert.equal(rev.revision, 4);
  assert.equal(rev.metadata.annotations?.['kubernetes.io/change-cause'], 'first');
  assert.equal(rev.metadata.labels?.app, 'nginx');
  const changed = structuredClone(s);
  changed.spec.template.spec.containers[0].image = 'other';
  assert.deepEqual(applyRevision(changed, rev).spec.template, s.spec.template);
});

test('completeRollingUpdate promotes the update revision once all replicas are updated and ready', () => {
  const status = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 1, currentRevision: 'a', updateRevision: 'b', availableReplicas: 3 };
  completeRollingUpdate(set(), status);
  assert.equal(status.currentRevision, 'b');
  assert.equal(status.currentReplicas, 3);
});

test('claim owners follow the retention policy', () => {
  const s = set({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' }, replicas: 1 });
  const p = { ...pod('web-2'), metadata: { name: 'web-2', uid: 'pod-uid' } };
  const claim = { metadata: { name: 'www-web-2', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid' }] } };
  assert.equal(updateClaimOwnerRefForSetAndPod(claim, s, p), true);
  assert.deepEqual(claim.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Pod', name: 'web-2', uid: 'pod-uid' }]);
  assert.equal(updateClaimOwnerRefForSetAndPod(claim, s, p), false);
});
