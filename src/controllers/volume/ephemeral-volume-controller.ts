// The ephemeral volume controller (upstream pkg/controller/volume/ephemeral): for each
// generic ephemeral volume of a pod it creates the claim <pod>-<volume> from the volume's
// template, owned by the pod, so the claim (and, with reclaim Delete, its volume) goes when
// the garbage collector removes it after the pod.
import { isAlreadyExists } from '../../api/errors.js';
import type { ObjectMeta, PersistentVolumeClaim, PersistentVolumeClaimSpec, Pod } from '../../api/types.js';
import { volumeClaimName } from '../../api/storage-helpers.js';
import { resourceFor } from '../../client/api-client.js';
import { objectKey } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';

const claimsResource = resourceFor('persistentvolumeclaims');

interface EphemeralVolumeSource {
  volumeClaimTemplate?: { metadata?: ObjectMeta; spec: PersistentVolumeClaimSpec };
}

/** The claim of a pod's ephemeral volume (ephemeral.VolumeClaimName). */
function ephemeralClaimName(pod: Pod, volumeName: string): string {
  return volumeClaimName(pod, { name: volumeName, ephemeral: {} })!;
}

/** The claim the controller creates for one ephemeral volume of the pod. */
export function ephemeralClaim(pod: Pod, volumeName: string, source: EphemeralVolumeSource): PersistentVolumeClaim {
  const meta = source.volumeClaimTemplate?.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: ephemeralClaimName(pod, volumeName),
      namespace: pod.metadata.namespace,
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(source.volumeClaimTemplate?.spec ?? {}),
  };
}

export function newEphemeralVolumeController(ctx: ControllerContext): Controller {
  const pods = ctx.informers.for<Pod>(resourceFor('pods'));
  const claims = ctx.informers.for<PersistentVolumeClaim>(claimsResource);
  const queue = new WorkQueue((key) => sync(key), { name: 'ephemeral-volume', logger: ctx.logger.child('ephemeral-volume') });

  async function sync(key: string): Promise<ReconcileResult> {
    const pod = pods.get(key);
    if (!pod || pod.metadata.deletionTimestamp) return;
    for (const v of pod.spec.volumes ?? []) {
      const source = v.ephemeral as EphemeralVolumeSource | undefined;
      if (!source) continue;
      if (claims.getByName(pod.metadata.namespace, ephemeralClaimName(pod, v.name))) continue;
      try {
        await ctx.client.create(claimsResource, pod.metadata.namespace, ephemeralClaim(pod, v.name, source));
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  }

  const enqueue = (p: Pod) => {
    if ((p.spec.volumes ?? []).some((v) => v.ephemeral)) queue.add(objectKey(p));
  };
  return {
    name: 'ephemeral-volume-controller',
    start() {
      pods.addHandlers({ add: enqueue, update: (_o, p) => enqueue(p) });
    },
    stop() {
      queue.stop();
    },
  };
}
