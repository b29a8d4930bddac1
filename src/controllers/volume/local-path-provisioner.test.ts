import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Event, PersistentVolumeClaim } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { startControllerHarness } from '../../testing/controller-harness.js';
import { waitFor } from '../../testing/wait.js';
import { annSelectedNode, annStorageProvisioner } from './volume-matching.js';
import { localPathProvisionerName, newLocalPathProvisioner } from './local-path-provisioner.js';

/** A claim of the standard class the PV controller has handed to local-path on node-1. */
function handedClaim(name: string, volumeMode: 'Block' | 'Filesystem'): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, annotations: { [annStorageProvisioner]: localPathProvisionerName, [annSelectedNode]: 'node-1' } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', volumeMode },
  };
}

test('a Block claim: ProvisioningFailed "does not support block volume provisioning", no volume, no directory', async () => {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-local-path-'));
  const h = await startControllerHarness({ controllers: [newLocalPathProvisioner], options: { localPathStorageDir: storage } });
  try {
    const { client } = h;
    await client.create(resourceFor('nodes'), undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } });
    await client.create(resourceFor('storageclasses', 'storage.k8s.io'), undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard' },
      provisioner: localPathProvisionerName,
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    await client.create(resourceFor('persistentvolumeclaims'), 'default', handedClaim('raw', 'Block'));
    const failed = await waitFor(async () =>
      (await client.list<Event>(resourceFor('events'), 'default')).items.find((e) => e.involvedObject.name === 'raw' && e.reason === 'ProvisioningFailed'),
    );
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.message, 'rancher.io/local-path does not support block volume provisioning');
    // A Filesystem claim handed over after it is provisioned: the Block one never was.
    await client.create(resourceFor('persistentvolumeclaims'), 'default', handedClaim('files', 'Filesystem'));
    const uid = (await client.get<PersistentVolumeClaim>(resourceFor('persistentvolumeclaims'), 'default', 'files')).metadata.uid;
    await waitFor(async () => (await client.list(resourceFor('persistentvolumes'), undefined)).items.find((v) => v.metadata.name === `pvc-${uid}`));
    const names = (await client.list(resourceFor('persistentvolumes'), undefined)).items.map((v) => v.metadata.name);
    assert.deepEqual(names, [`pvc-${uid}`]);
    assert.deepEqual(fs.readdirSync(storage), [`pvc-${uid}_default_files`]);
  } finally {
    await h.stop();
    fs.rmSync(storage, { recursive: true, force: true });
  }
});
