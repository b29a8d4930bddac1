// The PVC protection controller (upstream pkg/controller/volume/pvcprotection): a claim being
// deleted keeps its kubernetes.io/pvc-protection finalizer while a pod that is not finished
// uses it, so `kubectl delete pvc` waits (Terminating) until the pod goes.
import type { Pod, PersistentVolumeClaim } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { objectKey } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import { pvcProtectionFinalizer } from '../../apiserver/resources/storage-protection.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { removeFinalizer } from './remove-finalizer.js';
import { podClaimNames } from '../../api/storage-helpers.js';

const claimsResource = resourceFor('persistentvolumeclaims');
const podsByClaim = 'pvc-protection/claim';

/** A finished pod no longer holds its claims (upstream podUsesPVC skips Succeeded/Failed pods). */
function holdsClaims(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export function newPVCProtectionController(ctx: ControllerContext): Controller {
  const claims = ctx.informers.for<PersistentVolumeClaim>(claimsResource);
  const pods = ctx.informers.for<Pod>(resourceFor('pods'));
  pods.addIndex(podsByClaim, (p) => podClaimNames(p).map((c) => `${p.metadata.namespace}/${c}`));
  const queue = new WorkQueue((key) => sync(key), { name: 'pvc-protection', logger: ctx.logger.child('pvc-protection') });

  async function sync(key: string): Promise<ReconcileResult> {
    const pvc = claims.get(key);
    if (!pvc?.metadata.deletionTimestamp || !pvc.metadata.finalizers?.includes(pvcProtectionFinalizer)) return;
    if (pods.byIndex(podsByClaim, key).some(holdsClaims)) return;
    return removeFinalizer(ctx.client, claimsResource, pvc, pvcProtectionFinalizer);
  }

  const enqueuePodClaims = (p: Pod) => {
    for (const c of podClaimNames(p)) queue.add(`${p.metadata.namespace}/${c}`);
  };
  return {
    name: 'pvc-protection-controller',
    start() {
      claims.addHandlers({ add: (c) => queue.add(objectKey(c)), update: (_o, c) => queue.add(objectKey(c)) });
      pods.addHandlers({ update: (_o, p) => enqueuePodClaims(p), delete: enqueuePodClaims });
    },
    stop() {
      queue.stop();
    },
  };
}
