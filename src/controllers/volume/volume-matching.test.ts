import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, PersistentVolume, PersistentVolumeClaim } from '../../api/types.js';
import { findMatchingVolume, volumeFitsNode } from './volume-matching.js';

function pv(name: string, size: string, extra: Partial<PersistentVolume['spec']> = {}, labels?: Record<string, string>): PersistentVolume {
  return {
    metadata: { name, labels },
    spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/v/${name}` }, storageClassName: 'manual', volumeMode: 'Filesystem', ...extra },
    status: { phase: 'Available' },
  };
}

const pvc = (spec: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', uid: 'u1' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'manual', volumeMode: 'Filesystem', ...spec },
});

const node = (name: string): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } });

test('the smallest volume of the class that fits size and access modes wins', () => {
  const vols = [pv('big', '10Gi'), pv('small', '500Mi'), pv('right', '2Gi'), pv('other-class', '1Gi', { storageClassName: 'fast' }), pv('rox', '1Gi', { accessModes: ['ReadOnlyMany'] })];
  assert.equal(findMatchingVolume(pvc(), vols)?.metadata.name, 'right');
  assert.equal(findMatchingVolume(pvc({ accessModes: ['ReadWriteMany'] }), vols), undefined);
});

test('volumes bound to another claim, being deleted or of another mode are skipped; a selector filters labels', () => {
  const taken = pv('taken', '1Gi', { claimRef: { namespace: 'default', name: 'other', uid: 'u2' } });
  const gone = { ...pv('gone', '1Gi'), metadata: { name: 'gone', deletionTimestamp: '2025-01-01T00:00:00Z' } };
  const block = pv('block', '1Gi', { volumeMode: 'Block' });
  assert.equal(findMatchingVolume(pvc(), [taken, gone, block]), undefined);
  const labelled = pv('fast-disk', '5Gi', {}, { disk: 'ssd' });
  assert.equal(findMatchingVolume(pvc({ selector: { matchLabels: { disk: 'ssd' } } }), [pv('plain', '1Gi'), labelled])?.metadata.name, 'fast-disk');
});

test('a volume pre-bound to the claim is taken even when binding waits for the consumer', () => {
  const pre = pv('pre', '1Gi', { claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'other' });
  assert.equal(findMatchingVolume(pvc(), [pv('free', '1Gi'), pre], undefined, true)?.metadata.name, 'pre');
  assert.equal(findMatchingVolume(pvc(), [pv('free', '1Gi')], undefined, true), undefined);
});

test('node affinity: with a node, only volumes reachable from it', () => {
  const affinity = (n: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: [n] }] }] } });
  const onA = pv('on-a', '1Gi', { nodeAffinity: affinity('node-a') });
  assert.ok(volumeFitsNode(onA, node('node-a')));
  assert.ok(!volumeFitsNode(onA, node('node-b')));
  assert.equal(findMatchingVolume(pvc(), [onA], node('node-b')), undefined);
  assert.equal(findMatchingVolume(pvc(), [onA], node('node-a'))?.metadata.name, 'on-a');
});
