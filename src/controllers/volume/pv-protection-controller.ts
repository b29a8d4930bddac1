// The PV protection controller (upstream pkg/controller/volume/pvprotection): a volume being
// deleted keeps its kubernetes.io/pv-protection finalizer while it is Bound to a claim.
import type { PersistentVolume } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { objectKey } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import { pvProtectionFinalizer } from '../../apiserver/resources/storage-protection.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { removeFinalizer } from './remove-finalizer.js';

const volumesResource = resourceFor('persistentvolumes');

export function newPVProtectionController(ctx: ControllerContext): Controller {
  const volumes = ctx.informers.for<PersistentVolume>(volumesResource);
  const queue = new WorkQueue((key) => sync(key), { name: 'pv-protection', logger: ctx.logger.child('pv-protection') });

  async function sync(key: string): Promise<ReconcileResult> {
    const pv = volumes.get(key);
    if (!pv?.metadata.deletionTimestamp || !pv.metadata.finalizers?.includes(pvProtectionFinalizer)) return;
    if (pv.status?.phase === 'Bound') return;
    return removeFinalizer(ctx.client, volumesResource, pv, pvProtectionFinalizer);
  }

  return {
    name: 'pv-protection-controller',
    start() {
      volumes.addHandlers({ add: (v) => queue.add(objectKey(v)), update: (_o, v) => queue.add(objectKey(v)) });
    },
    stop() {
      queue.stop();
    },
  };
}
