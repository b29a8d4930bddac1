// The default StorageClass, as kind and k3s install it: `standard`, marked default, served by
// the built-in local-path provisioner (rancher.io/local-path), binding when the first pod
// using a claim is scheduled, deleting the volume with its claim. Created once if absent.
import type { StorageClass } from '../api/types.js';
import { isDefaultStorageClassAnnotation } from '../api/storage-helpers.js';
import { type ApiClient, resourceFor } from '../client/api-client.js';
import { localPathProvisionerName } from '../controllers/volume/local-path-provisioner.js';
import { createIfAbsent } from './cluster-dns-addon.js';

export function standardStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', annotations: { [isDefaultStorageClassAnnotation]: 'true' } },
    provisioner: localPathProvisionerName,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

export async function installLocalPathStorage(client: ApiClient): Promise<void> {
  await createIfAbsent(client, resourceFor('storageclasses', 'storage.k8s.io'), standardStorageClass());
}
