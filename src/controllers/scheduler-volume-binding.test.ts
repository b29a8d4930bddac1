import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../api/types.js';
import { PodVolumes, reasonBindConflict, reasonNodeConflict, unboundImmediateMessage, type VolumeBinder, type VolumeListers } from './scheduler-volume-binding.js';

const node = (name: string): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
const wffc: StorageClass = { metadata: { name: 'standard' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' };
const immediate: StorageClass = { metadata: { name: 'fast' }, provisioner: 'example.com/p', volumeBindingMode: 'Immediate' };
const staticWffc: StorageClass = { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' };

function claim(name: string, storageClassName: string, extra: Partial<PersistentVolumeClaim> = {}): PersistentVolumeClaim {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra.metadata }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName, ...extra.spec }, status: extra.status };
}

function podUsing(...claims: string[]): Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'pod-uid' }, spec: { containers: [], volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) } };
}

function listers(claims: PersistentVolumeClaim[], volumes: PersistentVolume[] = []): VolumeListers {
  const classes = [wffc, immediate, staticWffc];
  return {
    claim: (ns, name) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    volumes: () => volumes,
    storageClass: (name) => classes.find((c) => c.metadata.name === name),
  };
}

const onNode = (name: string, n: string): PersistentVolume => ({
  metadata: { name },
  spec: {
    capacity: { storage: '1Gi' },
    accessModes: ['ReadWriteOnce'],
    storageClassName: 'local',
    volumeMode: 'Filesystem',
    local: { path: `/mnt/${name}` },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [n] }] }] } },
  },
  status: { phase: 'Available' },
});

test('PreFilter: a missing claim, a claim being deleted, an unbound Immediate claim', () => {
  assert.equal(new PodVolumes(podUsing('nope'), listers([])).preFilterFailure, 'persistentvolumeclaim "nope" not found');
  const deleting = claim('d', 'standard', { metadata: { name: 'd', namespace: 'default', deletionTimestamp: '2025-01-01T00:00:00Z' } });
  assert.equal(new PodVolumes(podUsing('d'), listers([deleting])).preFilterFailure, 'persistentvolumeclaim "d" is being deleted');
  assert.equal(new PodVolumes(podUsing('i'), listers([claim('i', 'fast')])).preFilterFailure, unboundImmediateMessage);
  assert.equal(new PodVolumes(podUsing('w'), listers([claim('w', 'standard')])).preFilterFailure, undefined);
});

test('Filter: a bound claim follows its volume\'s node affinity; a selected node is the only one', () => {
  const bound = claim('b', 'local', { metadata: { name: 'b', namespace: 'default', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { volumeName: 'pv-a' } });
  const pv = onNode('pv-a', 'node-a');
  const v = new PodVolumes(podUsing('b'), listers([bound], [pv]));
  assert.equal(v.filter(node('node-a')), undefined);
  assert.equal(v.filter(node('node-b')), reasonNodeConflict);
  const selected = claim('s', 'standard', { metadata: { name: 's', namespace: 'default', annotations: { 'volume.kubernetes.io/selected-node': 'node-b' } } });
  const w = new PodVolumes(podUsing('s'), listers([selected]));
  assert.equal(w.filter(node('node-a')), reasonBindConflict);
  assert.equal(w.filter(node('node-b')), undefined);
});

test('Filter and PreBind for WaitForFirstConsumer: a static volume on the node, else provisioning on the chosen node', async () => {
  const calls: string[] = [];
  const binder: VolumeBinder = {
    bindVolume: async (pv, pvc) => void calls.push(`bind ${pv.metadata.name} ${pvc.metadata.name}`),
    selectNode: async (pvc, n) => void calls.push(`select ${pvc.metadata.name} ${n}`),
  };
  const local = new PodVolumes(podUsing('l'), listers([claim('l', 'local')], [onNode('pv-a', 'node-a')]));
  assert.equal(local.filter(node('node-b')), reasonBindConflict);
  assert.equal(local.filter(node('node-a')), undefined);
  assert.equal(await local.prebind(node('node-a'), binder), false);
  const provisioned = new PodVolumes(podUsing('w'), listers([claim('w', 'standard')]));
  assert.equal(provisioned.filter(node('node-b')), undefined);
  assert.equal(await provisioned.prebind(node('node-b'), binder), false);
  assert.deepEqual(calls, ['bind pv-a l', 'select w node-b']);
  // No claims: nothing to wait for.
  assert.equal(await new PodVolumes(podUsing(), listers([])).prebind(node('node-a'), binder), true);
});
