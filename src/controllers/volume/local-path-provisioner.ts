// The local-path provisioner (rancher/local-path-provisioner, as k3s and kind ship it under
// the name rancher.io/local-path), built in: for a claim the PV controller handed to it, on
// the node the scheduler chose (volume.kubernetes.io/selected-node), it makes a directory
// <storage>/pvc-<uid>_<namespace>_<name> and a hostPath (DirectoryOrCreate) PersistentVolume
// pre-bound to the claim, with node affinity to that node; when a Delete volume is Released it
// removes the directory and the volume. kanzen's nodes share this machine's filesystem, so the
// directory is made here rather than by a helper pod on the node.
import fs from 'node:fs';
import path from 'node:path';
import { isAlreadyExists, isNotFound } from '../../api/errors.js';
import { persistentVolumeClaimClass, requestedStorage } from '../../api/storage-helpers.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { objectKey } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { annDynamicallyProvisioned, annSelectedNode, annStorageProvisioner } from './volume-matching.js';

export const localPathProvisionerName = 'rancher.io/local-path';
/** local-path-provisioner's annotation naming the node a volume was made on. */
export const annLocalPathSelectedNode = 'local.path.provisioner/selected-node';
const nodeAffinityKey = 'kubernetes.io/hostname';
const claimsResource = resourceFor('persistentvolumeclaims');
const volumesResource = resourceFor('persistentvolumes');

/** The directory of a claim's volume (local-path-provisioner's folder name). */
export function localPathVolumeDir(storageDir: string, pvc: PersistentVolumeClaim): string {
  return path.join(storageDir, `pvc-${pvc.metadata.uid}_${pvc.metadata.namespace}_${pvc.metadata.name}`);
}

/** The volume local-path-provisioner makes for a claim on a node (provisionFor). */
export function localPathVolume(pvc: PersistentVolumeClaim, sc: StorageClass, node: Node, dir: string): PersistentVolume {
  const nodeName = node.metadata.name!;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: `pvc-${pvc.metadata.uid}`,
      annotations: { [annDynamicallyProvisioned]: localPathProvisionerName, [annLocalPathSelectedNode]: nodeName },
    },
    spec: {
      accessModes: pvc.spec.accessModes,
      capacity: { storage: requestedStorage(pvc) },
      claimRef: { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion },
      hostPath: { path: dir, type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: nodeAffinityKey, operator: 'In', values: [node.metadata.labels?.[nodeAffinityKey] ?? nodeName] }] }] } },
      persistentVolumeReclaimPolicy: (sc.reclaimPolicy ?? 'Delete') as PersistentVolume['spec']['persistentVolumeReclaimPolicy'],
      storageClassName: sc.metadata.name,
      volumeMode: 'Filesystem',
    },
  };
}

/**
 * The provisioner library's canProvision: local-path makes directories only, it is no
 * BlockProvisioner, so a Block claim fails before any node or class check and stays Pending.
 */
export function localPathCannotProvision(pvc: PersistentVolumeClaim): string | undefined {
  return pvc.spec.volumeMode === 'Block' ? `${localPathProvisionerName} does not support block volume provisioning` : undefined;
}

/** Why local-path cannot serve the claim (its provisionFor checks), or undefined. */
export function localPathUnsupported(pvc: PersistentVolumeClaim, node: Node | undefined): string | undefined {
  if (pvc.spec.selector) return 'claim.Spec.Selector is not supported';
  if ((pvc.spec.accessModes ?? []).some((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod')) {
    return 'NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes';
  }
  if (!node) return 'configuration error, no node was specified';
  return undefined;
}

export function newLocalPathProvisioner(ctx: ControllerContext): Controller {
  const storageDir = ctx.options.localPathStorageDir;
  const claims = ctx.informers.for<PersistentVolumeClaim>(claimsResource);
  const volumes = ctx.informers.for<PersistentVolume>(volumesResource);
  const classes = ctx.informers.for<StorageClass>(resourceFor('storageclasses', 'storage.k8s.io'));
  const nodes = ctx.informers.for<Node>(resourceFor('nodes'));
  // The external-provisioner library's identity: <provisioner>_<pod>_<id>.
  const recorder = ctx.recorder(`${localPathProvisionerName}_local-path-provisioner`);
  const log = ctx.logger.child('local-path-provisioner');
  const claimQueue = new WorkQueue((key) => provision(key), { name: 'local-path-provision', logger: log });
  const volumeQueue = new WorkQueue((key) => reclaim(key), { name: 'local-path-delete', logger: log });

  async function provision(key: string): Promise<ReconcileResult> {
    const pvc = claims.get(key);
    if (!pvc || pvc.spec.volumeName || pvc.metadata.deletionTimestamp) return;
    if (pvc.metadata.annotations?.[annStorageProvisioner] !== localPathProvisionerName) return;
    const sc = classes.getByName(undefined, persistentVolumeClaimClass(pvc));
    if (!sc || sc.provisioner !== localPathProvisionerName || !storageDir) return;
    const pvName = `pvc-${pvc.metadata.uid}`;
    if (volumes.getByName(undefined, pvName)) return;
    const cannot = localPathCannotProvision(pvc);
    if (cannot) {
      recorder.event(pvc, 'Warning', 'ProvisioningFailed', cannot);
      return;
    }
    const selected = pvc.metadata.annotations?.[annSelectedNode];
    const node = selected ? nodes.getByName(undefined, selected) : undefined;
    const unsupported = localPathUnsupported(pvc, node);
    if (unsupported) {
      recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${unsupported}`);
      return;
    }
    recorder.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${pvc.metadata.namespace}/${pvc.metadata.name}"`);
    const dir = localPathVolumeDir(storageDir, pvc);
    fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
    fs.chmodSync(dir, 0o777);
    try {
      await ctx.client.create(volumesResource, undefined, localPathVolume(pvc, sc, node!, dir));
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    log.info('created volume', { name: pvName, node: node!.metadata.name, path: dir });
    recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  /** Delete(): a Released volume of Delete policy loses its directory, then its object. */
  async function reclaim(key: string): Promise<ReconcileResult> {
    const pv = volumes.get(key);
    if (!pv || pv.metadata.annotations?.[annDynamicallyProvisioned] !== localPathProvisionerName) return;
    if (pv.status?.phase !== 'Released' || pv.spec.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata.deletionTimestamp) return;
    const dir = pv.spec.hostPath?.path ?? (pv.spec.local as { path?: string } | undefined)?.path;
    // Only a directory of ours: a hand-edited path must never turn into an rm -rf elsewhere.
    if (dir && storageDir && path.dirname(path.resolve(dir)) === path.resolve(storageDir)) {
      fs.rmSync(dir, { recursive: true, force: true });
      log.info('deleted volume', { name: pv.metadata.name, path: dir });
    }
    try {
      await ctx.client.delete(volumesResource, undefined, pv.metadata.name!);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  return {
    name: 'local-path-provisioner',
    start() {
      claims.addHandlers({ add: (c) => claimQueue.add(objectKey(c)), update: (_o, c) => claimQueue.add(objectKey(c)) });
      volumes.addHandlers({ add: (v) => volumeQueue.add(objectKey(v)), update: (_o, v) => volumeQueue.add(objectKey(v)) });
    },
    stop() {
      claimQueue.stop();
      volumeQueue.stop();
    },
  };
}
