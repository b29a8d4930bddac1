import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/types.js';
import { thrownBy } from '../../testing/thrown.js';
import { checkHostPathType, claimVolumePath, setUpHostVolume, VolumeSetupError, type ClaimSources } from './volumes.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kz-volumes-'));
}

test('hostPath types: OrCreate makes the path, the others are checked with upstream\'s messages', () => {
  const dir = tmp();
  try {
    const made = path.join(dir, 'a', 'b');
    checkHostPathType(made, 'DirectoryOrCreate');
    assert.ok(fs.statSync(made).isDirectory());
    const file = path.join(dir, 'f');
    checkHostPathType(file, 'FileOrCreate');
    assert.ok(fs.statSync(file).isFile());
    assert.equal(thrownBy(() => checkHostPathType(file, 'Directory'), VolumeSetupError).message, `hostPath type check failed: ${file} is not a directory`);
    assert.equal(thrownBy(() => checkHostPathType(made, 'File'), VolumeSetupError).message, `hostPath type check failed: ${made} is not a file`);
    assert.equal(thrownBy(() => checkHostPathType(file, 'Socket'), VolumeSetupError).message, `hostPath type check failed: ${file} is not a socket file`);
    assert.equal(thrownBy(() => checkHostPathType(file, 'DirectoryOrCreate'), VolumeSetupError).message, `hostPath type check failed: ${file} is not a directory`);
    assert.equal(thrownBy(() => checkHostPathType(path.join(dir, 'missing', 'f'), 'FileOrCreate'), VolumeSetupError).message, `open ${path.join(dir, 'missing', 'f')}: no such file or directory`);
    checkHostPathType('/dev/null', 'CharDevice');
    checkHostPathType(path.join(dir, 'anything'), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function sources(claims: PersistentVolumeClaim[], volumes: PersistentVolume[]): ClaimSources {
  return {
    claim: async (ns, name) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    volume: async (name) => volumes.find((v) => v.metadata.name === name),
  };
}

test('a claim resolves to its bound volume\'s directory; unbound and missing claims fail the mount', async () => {
  const dir = tmp();
  try {
    const target = path.join(dir, 'pvc-1');
    const bound: PersistentVolumeClaim = { metadata: { name: 'data', namespace: 'default' }, spec: { volumeName: 'pvc-1' }, status: { phase: 'Bound' } };
    const pending: PersistentVolumeClaim = { metadata: { name: 'wait', namespace: 'default' }, spec: {}, status: { phase: 'Pending' } };
    const pv: PersistentVolume = { metadata: { name: 'pvc-1' }, spec: { hostPath: { path: target, type: 'DirectoryOrCreate' } } };
    const src = sources([bound, pending], [pv]);
    assert.equal(await claimVolumePath('default', 'data', src), target);
    assert.ok(fs.statSync(target).isDirectory());
    assert.equal((await claimVolumePath('default', 'nope', src).then(() => undefined, (e: Error) => e))?.message, 'persistentvolumeclaim "nope" not found');
    assert.equal((await claimVolumePath('default', 'wait', src).then(() => undefined, (e: Error) => e))?.message, 'PVC default/wait has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")');

    // The pod directory links to the volume: what the pod writes lands in the volume's directory.
    const pod: Pod = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } };
    const link = path.join(dir, 'pod', 'volumes', 'kubernetes.io~pvc', 'data');
    await setUpHostVolume({ name: 'data', persistentVolumeClaim: { claimName: 'data' } }, pod, link, src);
    fs.writeFileSync(path.join(link, 'x'), 'y');
    assert.equal(fs.readFileSync(path.join(target, 'x'), 'utf8'), 'y');
    // Removing the pod directory removes the link only.
    fs.rmSync(path.join(dir, 'pod'), { recursive: true, force: true });
    assert.equal(fs.readFileSync(path.join(target, 'x'), 'utf8'), 'y');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
