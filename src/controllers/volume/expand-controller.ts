// The volume expand controller (upstream pkg/controller/volume/expand): a bound claim whose
// storage request is above its capacity (grown because its class has allowVolumeExpansion)
// needs its volume resized. kanzen's volumes are local-path hostPath directories, for which no
// in-tree plugin can expand and no CSI resizer runs (rancher/local-path-provisioner resizes
// nothing), so as upstream the claim keeps its capacity and says it is waiting: a Warning
// ExternalExpanding event (the plugin lookup fails, hence Warning), once per sync.
import { quantityOrZero } from '../../api/quantity.js';
import type { PersistentVolumeClaim } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { objectKey } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';

/** The event recorder's component upstream (expand_controller.go). */
export const expandControllerComponent = 'volume_expand';
export const externalExpandingMessage = 'waiting for an external controller to expand this PVC';

/** A bound claim that asks for more than it has. */
export function needsExpansion(pvc: PersistentVolumeClaim): boolean {
  if (pvc.status?.phase !== 'Bound' || !pvc.spec.volumeName) return false;
  return quantityOrZero(pvc.spec.resources?.requests?.storage) > quantityOrZero(pvc.status.capacity?.storage);
}

export function newExpandController(ctx: ControllerContext): Controller {
  const claims = ctx.informers.for<PersistentVolumeClaim>(resourceFor('persistentvolumeclaims'));
  const recorder = ctx.recorder(expandControllerComponent);
  const queue = new WorkQueue((key) => sync(key), { name: 'volume-expand', logger: ctx.logger.child('volume-expand') });

  async function sync(key: string): Promise<ReconcileResult> {
    const pvc = claims.get(key);
    if (!pvc || !needsExpansion(pvc)) return;
    recorder.event(pvc, 'Warning', 'ExternalExpanding', externalExpandingMessage);
  }

  // Upstream enqueues bound claims on add and on every update.
  const enqueue = (pvc: PersistentVolumeClaim) => {
    if (pvc.status?.phase === 'Bound') queue.add(objectKey(pvc));
  };
  return {
    name: 'persistentvolume-expander-controller',
    start() {
      claims.addHandlers({ add: enqueue, update: (_o, c) => enqueue(c) });
    },
    stop() {
      queue.stop();
    },
  };
}
