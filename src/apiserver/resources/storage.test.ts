import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../api/errors.js';
import { findKind } from '../../api/resources.js';
import type { KubeObject, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/types.js';
import { strategyOfKind as strategy } from '../../testing/resource-strategies.js';
import { applyDefaults } from './index.js';

function defaulted<T extends KubeObject>(kind: string, obj: T): T {
  applyDefaults(findKind(kind)!, obj);
  return obj;
}

const claim = (spec: PersistentVolumeClaim['spec']): PersistentVolumeClaim => ({ kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec });

test('PVC: access modes and storage request are required (upstream messages)', () => {
  assert.deepEqual(strategy('PersistentVolumeClaim').validate(claim({})).map(fieldErrorString), [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Required value',
  ]);
  const bad = claim({ accessModes: ['ReadWriteOncePod', 'ReadOnce' as never], resources: { requests: { storage: '0' } } });
  assert.deepEqual(strategy('PersistentVolumeClaim').validate(bad).map(fieldErrorString), [
    'spec.accessModes: Unsupported value: "ReadOnce": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    'spec.resources[storage]: Invalid value: "0": must be greater than zero',
  ]);
});

test('PVC: spec immutable after creation except volumeName once and a bound claim growing', () => {
  const old = defaulted('PersistentVolumeClaim', claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' }));
  old.metadata.resourceVersion = '1';
  const s = strategy('PersistentVolumeClaim');
  const bound = { ...structuredClone(old), spec: { ...old.spec, volumeName: 'pv1' } };
  assert.deepEqual(s.validateUpdate(bound, old), []);
  const grown = structuredClone(bound);
  grown.spec.resources!.requests!.storage = '2Gi';
  const errs = s.validateUpdate(grown, bound).map(fieldErrorString);
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/);
  grown.status = { phase: 'Bound' };
  bound.status = { phase: 'Bound' };
  assert.deepEqual(s.validateUpdate(grown, bound), []);
  // RecoverVolumeExpansionFailure: a request may come back down, but not to status.capacity.
  bound.status = { phase: 'Bound', capacity: { storage: '1Gi' } };
  const shrunk = structuredClone(bound);
  shrunk.spec.resources!.requests!.storage = '512Mi';
  assert.deepEqual(s.validateUpdate(shrunk, bound).map(fieldErrorString), ['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
  const failedExpansion = structuredClone(bound);
  failedExpansion.spec.resources!.requests!.storage = '4Gi';
  const recovered = structuredClone(failedExpansion);
  recovered.spec.resources!.requests!.storage = '2Gi';
  assert.deepEqual(s.validateUpdate(recovered, failedExpansion), []);
  recovered.spec.resources!.requests!.storage = '1Gi';
  assert.deepEqual(s.validateUpdate(recovered, failedExpansion).map(fieldErrorString), ['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
});

test('PVC: volumeMode is immutable, reported at "volumeMode" after the spec diff', () => {
  const old = defaulted('PersistentVolumeClaim', claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' }));
  const block = structuredClone(old);
  block.spec.volumeMode = 'Block';
  const errs = strategy('PersistentVolumeClaim').validateUpdate(block, old).map(fieldErrorString);
  assert.equal(errs.length, 2);
  assert.match(errs[0], /^spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/);
  assert.equal(errs[1], 'volumeMode: Invalid value: "Block": field is immutable');
});

test('PV: defaults (Retain, Filesystem), one source, capacity', () => {
  const pv = defaulted('PersistentVolume', { kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/data' } } } as PersistentVolume);
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  assert.deepEqual(strategy('PersistentVolume').validate(pv), []);
  const none = { kind: 'PersistentVolume', metadata: { name: 'pv2' }, spec: { capacity: { storage: '1Gi' }, hostPath: { path: '/a', type: 'Dir' } } } as unknown as PersistentVolume;
  assert.deepEqual(strategy('PersistentVolume').validate(none).map(fieldErrorString), [
    'spec.accessModes: Required value',
    'spec.hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
  ]);
  const noSource = { kind: 'PersistentVolume', metadata: { name: 'pv3' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } } as PersistentVolume;
  assert.deepEqual(strategy('PersistentVolume').validate(noSource).map(fieldErrorString), ['spec: Required value: must specify a volume type']);
});

test('PV: new volumes start Pending; the source is immutable', () => {
  const s = strategy('PersistentVolume');
  const pv = defaulted('PersistentVolume', { kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/data' } } } as PersistentVolume);
  s.prepareForCreate(pv);
  assert.equal(pv.status?.phase, 'Pending');
  assert.ok(pv.status?.lastPhaseTransitionTime);
  const moved = structuredClone(pv);
  moved.spec.hostPath = { path: '/elsewhere' };
  const errs = s.validateUpdate(moved, pv).map(fieldErrorString);
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n/);
});

test('StorageClass: defaults Delete/Immediate; provisioner, parameters and policy fixed', () => {
  const sc = defaulted('StorageClass', { kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'example.com/x' } as StorageClass);
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  assert.deepEqual(strategy('StorageClass').validate(sc), []);
  const changed = { ...sc, provisioner: 'example.com/y', parameters: { a: 'b' }, reclaimPolicy: 'Retain' as const, volumeBindingMode: 'WaitForFirstConsumer' as const };
  assert.deepEqual(strategy('StorageClass').validateUpdate(changed, sc).map(fieldErrorString), [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
    'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
    'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
  ]);
  const noProvisioner = { kind: 'StorageClass', metadata: { name: 'x' }, provisioner: '', volumeBindingMode: 'Immediate' } as StorageClass;
  assert.deepEqual(strategy('StorageClass').validate(noProvisioner).map(fieldErrorString), ['provisioner: Required value']);
});
