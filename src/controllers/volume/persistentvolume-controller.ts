// The PersistentVolume controller's binder (upstream pkg/controller/volume/persistentvolume/
// pv_controller.go, reduced): claims are bound to the smallest matching Available volume, or
// handed to their class's provisioner (annotations volume.kubernetes.io/storage-provisioner
// and an ExternalProvisioning event); WaitForFirstConsumer claims wait for the scheduler's
// volume.kubernetes.io/selected-node; volumes follow their claim (Available, Bound, Released
// when the claim goes; Retain keeps a Released volume, Delete is the provisioner's to do).
// Claims and volumes have a queue each; a sync reads the caches and writes at most a few objects.
import { isConflict, isNotFound } from '../../api/errors.js';
import { rfc3339 } from '../../api/time.js';
import { betaStorageClassAnnotation, defaultStorageClass, persistentVolumeClaimClass } from '../../api/storage-helpers.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { objectKey } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import {
  annBetaStorageProvisioner,
  annBindCompleted,
  annBoundByController,
  annSelectedNode,
  annStorageProvisioner,
  findMatchingVolume,
  isVolumeBoundToClaim,
} from './volume-matching.js';

export const pvControllerName = 'persistentvolume-controller';
const claimsResource = resourceFor('persistentvolumeclaims');
const volumesResource = resourceFor('persistentvolumes');
/** Upstream resyncs every 15s; a Pending claim is looked at again this often (events count up). */
const pendingClaimResyncMs = 15_000;

// Event messages as pv_controller.go writes them.
export const waitForFirstConsumerMessage = 'waiting for first consumer to be created before binding';
export const noClassMessage = 'no persistent volumes available for this claim and no storage class is set';
export function externalProvisioningMessage(provisioner: string): string {
  return `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`;
}

export function newPersistentVolumeController(ctx: ControllerContext): Controller {
  const claims = ctx.informers.for<PersistentVolumeClaim>(claimsResource);
  const volumes = ctx.informers.for<PersistentVolume>(volumesResource);
  const classes = ctx.informers.for<StorageClass>(resourceFor('storageclasses', 'storage.k8s.io'));
  const recorder = ctx.recorder(pvControllerName);
  const log = ctx.logger.child(pvControllerName);
  const claimQueue = new WorkQueue((key) => syncClaim(key), { name: 'pv-controller-claims', workers: 2, logger: log });
  const volumeQueue = new WorkQueue((key) => syncVolume(key), { name: 'pv-controller-volumes', workers: 2, logger: log });

  /** An update (of status when `status`); undefined when the object is gone. */
  async function write<T extends PersistentVolumeClaim | PersistentVolume>(info: typeof claimsResource, obj: T, status: boolean): Promise<T | undefined> {
    try {
      return await ctx.client.update(info, obj, status ? 'status' : undefined);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
  const writeClaim = (pvc: PersistentVolumeClaim, status = false) => write(claimsResource, pvc, status);
  const writeVolume = (pv: PersistentVolume, status = false) => write(volumesResource, pv, status);

  async function setClaimPhase(pvc: PersistentVolumeClaim, phase: 'Pending' | 'Bound' | 'Lost', pv?: PersistentVolume): Promise<PersistentVolumeClaim | undefined> {
    const next = structuredClone(pvc);
    next.status = { ...(next.status ?? {}), phase };
    if (phase === 'Bound' && pv) {
      next.status.accessModes = pv.spec.accessModes;
      next.status.capacity = pv.spec.capacity;
    }
    if (phase === 'Pending') {
      delete next.status.accessModes;
      delete next.status.capacity;
    }
    if (JSON.stringify(next.status) === JSON.stringify(pvc.status ?? {})) return pvc;
    return writeClaim(next, true);
  }

  async function setVolumePhase(pv: PersistentVolume, phase: NonNullable<PersistentVolume['status']>['phase'], message?: string): Promise<PersistentVolume | undefined> {
    if (pv.status?.phase === phase && pv.status?.message === message) return pv;
    const next = structuredClone(pv);
    next.status = { phase, lastPhaseTransitionTime: rfc3339(ctx.now()) };
    if (message) next.status.message = message;
    return writeVolume(next, true);
  }

  /** bind(): volume → claim (claimRef), then claim → volume (volumeName, annotations), then both Bound. */
  async function bind(pvc: PersistentVolumeClaim, pv: PersistentVolume): Promise<void> {
    let volume: PersistentVolume | undefined = pv;
    if (!pv.spec.claimRef || pv.spec.claimRef.uid !== pvc.metadata.uid) {
      const next = structuredClone(pv);
      next.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
      if (!pv.spec.claimRef) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [annBoundByController]: 'yes' };
      volume = await writeVolume(next);
      if (!volume) return;
    }
    volume = await setVolumePhase(volume, 'Bound');
    if (!volume) return;
    let claim: PersistentVolumeClaim | undefined = pvc;
    if (pvc.spec.volumeName !== pv.metadata.name || pvc.metadata.annotations?.[annBindCompleted] !== 'yes') {
      const next = structuredClone(pvc);
      const ann: Record<string, string> = { ...(next.metadata.annotations ?? {}), [annBindCompleted]: 'yes' };
      if (!pvc.spec.volumeName) ann[annBoundByController] = 'yes';
      next.metadata.annotations = ann;
      next.spec.volumeName = pv.metadata.name;
      claim = await writeClaim(next);
      if (!claim) return;
    }
    await setClaimPhase(claim, 'Bound', volume);
  }

  function classOf(pvc: PersistentVolumeClaim): StorageClass | undefined {
    const name = persistentVolumeClaimClass(pvc);
    return name ? classes.getByName(undefined, name) : undefined;
  }

  /** syncUnboundClaim with no volumeName: match, wait for the first consumer, or provision. */
  async function syncUnboundClaim(pvc: PersistentVolumeClaim): Promise<ReconcileResult> {
    // Retroactive default StorageClass (1.28+): a claim made while no class was default gets
    // the default once there is one; the update brings it back here.
    if ((pvc.spec.storageClassName === undefined || pvc.spec.storageClassName === null) && pvc.metadata.annotations?.[betaStorageClassAnnotation] === undefined) {
      const def = defaultStorageClass(classes.list());
      if (def) {
        await writeClaim({ ...structuredClone(pvc), spec: { ...structuredClone(pvc.spec), storageClassName: def.metadata.name } });
        return;
      }
    }
    const className = persistentVolumeClaimClass(pvc);
    const sc = classOf(pvc);
    const delayBinding = sc?.volumeBindingMode === 'WaitForFirstConsumer';
    const pv = findMatchingVolume(pvc, volumes.list(), undefined, delayBinding && !pvc.metadata.annotations?.[annSelectedNode]);
    if (pv) {
      await bind(pvc, pv);
      return;
    }
    if (delayBinding && !pvc.metadata.annotations?.[annSelectedNode]) {
      recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', waitForFirstConsumerMessage);
    } else if (!className) {
      recorder.event(pvc, 'Normal', 'FailedBinding', noClassMessage);
    } else if (!sc) {
      recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    } else {
      await handOverToProvisioner(pvc, sc.provisioner);
    }
    await setClaimPhase(pvc, 'Pending');
    return { requeueAfterMs: pendingClaimResyncMs };
  }

  /** provisionClaimOperationExternal: name the provisioner on the claim, say so in an event. */
  async function handOverToProvisioner(pvc: PersistentVolumeClaim, provisioner: string): Promise<void> {
    const ann = pvc.metadata.annotations ?? {};
    if (ann[annStorageProvisioner] !== provisioner || ann[annBetaStorageProvisioner] !== provisioner) {
      const next = structuredClone(pvc);
      next.metadata.annotations = { ...ann, [annStorageProvisioner]: provisioner, [annBetaStorageProvisioner]: provisioner };
      if (!(await writeClaim(next))) return;
    }
    recorder.event(pvc, 'Normal', 'ExternalProvisioning', externalProvisioningMessage(provisioner));
  }

  async function syncClaim(key: string): Promise<ReconcileResult> {
    const pvc = claims.get(key);
    if (!pvc) return;
    try {
      if (pvc.metadata.annotations?.[annBindCompleted] !== 'yes' && !pvc.spec.volumeName) return await syncUnboundClaim(pvc);
      const name = pvc.spec.volumeName;
      if (!name) {
        recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
        await setClaimPhase(pvc, 'Lost');
        return;
      }
      const pv = volumes.getByName(undefined, name);
      if (!pv) {
        // Pre-bound to a volume not made yet: wait; a claim that was bound has lost it.
        if (pvc.metadata.annotations?.[annBindCompleted] === 'yes') {
          recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
          await setClaimPhase(pvc, 'Lost');
        } else await setClaimPhase(pvc, 'Pending');
        return;
      }
      if (!pv.spec.claimRef || isVolumeBoundToClaim(pv, pvc)) {
        await bind(pvc, pv);
        return;
      }
      recorder.event(pvc, 'Warning', 'FailedBinding', `volume "${name}" already bound to a different claim.`);
      await setClaimPhase(pvc, 'Pending');
    } catch (e) {
      if (isConflict(e)) return { requeueAfterMs: 0 };
      throw e;
    }
  }

  async function liveClaim(namespace: string | undefined, name: string): Promise<PersistentVolumeClaim | undefined> {
    try {
      return await ctx.client.get<PersistentVolumeClaim>(claimsResource, namespace, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async function syncVolume(key: string): Promise<ReconcileResult> {
    const pv = volumes.get(key);
    if (!pv) return;
    try {
      const ref = pv.spec.claimRef;
      if (!ref) {
        await setVolumePhase(pv, 'Available');
        return;
      }
      // Pre-bound by the user to a claim not seen yet.
      if (!ref.uid) {
        await setVolumePhase(pv, 'Available');
        return;
      }
      let pvc = claims.getByName(ref.namespace, ref.name ?? '');
      // Released may end in the data's deletion: a claim missing from the cache is looked up
      // in the API before the volume is given up (upstream does the same).
      if (!pvc || pvc.metadata.uid !== ref.uid) pvc = await liveClaim(ref.namespace, ref.name ?? '');
      if (!pvc || pvc.metadata.uid !== ref.uid) {
        // The claim is gone: Released. Retain keeps the volume (and its data) until an admin
        // clears claimRef; Delete is done by the volume's provisioner.
        if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') await setVolumePhase(pv, 'Released');
        return;
      }
      if (!pvc.spec.volumeName) {
        // The claim is being bound to us: its sync completes it.
        claimQueue.add(objectKey(pvc));
        return;
      }
      if (pvc.spec.volumeName === pv.metadata.name) {
        await setVolumePhase(pv, 'Bound');
        return;
      }
      // The claim went to another volume: a binding this controller made is undone.
      if (pv.metadata.annotations?.[annBoundByController] === 'yes') {
        const next = structuredClone(pv);
        delete next.spec.claimRef;
        delete next.metadata.annotations![annBoundByController];
        const written = await writeVolume(next);
        if (written) await setVolumePhase(written, 'Available');
      }
    } catch (e) {
      if (isConflict(e)) return { requeueAfterMs: 0 };
      throw e;
    }
  }

  return {
    name: pvControllerName,
    start() {
      claims.addHandlers({
        add: (c) => claimQueue.add(objectKey(c)),
        update: (_o, c) => claimQueue.add(objectKey(c)),
        delete: (c) => {
          // Its volume becomes Released.
          if (c.spec.volumeName) volumeQueue.add(c.spec.volumeName);
        },
      });
      volumes.addHandlers({
        add: (v) => {
          volumeQueue.add(objectKey(v));
          // A new volume may fit a waiting claim.
          for (const c of claims.list()) if (!c.spec.volumeName || c.spec.volumeName === v.metadata.name) claimQueue.add(objectKey(c));
        },
        update: (_o, v) => {
          volumeQueue.add(objectKey(v));
          const ref = v.spec.claimRef;
          if (ref?.name) claimQueue.add(`${ref.namespace}/${ref.name}`);
        },
        delete: (v) => {
          const ref = v.spec.claimRef;
          if (ref?.name) claimQueue.add(`${ref.namespace}/${ref.name}`);
        },
      });
      classes.addHandlers({
        // Claims waiting for a class that now exists, or for a default class.
        add: () => {
          for (const c of claims.list()) if (!c.spec.volumeName) claimQueue.add(objectKey(c));
        },
        update: (o, n) => {
          if (JSON.stringify(o.metadata.annotations) === JSON.stringify(n.metadata.annotations)) return;
          for (const c of claims.list()) if (!c.spec.volumeName) claimQueue.add(objectKey(c));
        },
      });
    },
    stop() {
      claimQueue.stop();
      volumeQueue.stop();
    },
  };
}
