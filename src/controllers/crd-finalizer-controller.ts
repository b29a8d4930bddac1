// The CRD finalizer (upstream apiextensions-apiserver pkg/controller/finalizer): a deleted
// CustomResourceDefinition's objects are deleted, then its customresourcecleanup finalizer is
// removed so the CRD itself goes. Its objects stay reachable meanwhile: the API server serves
// a CRD's resource until the CRD is gone.
import { isConflict, isNotFound } from '../api/errors.js';
import { customResourceCleanupFinalizer, customResourceInfos } from '../api/custom-resource-info.js';
import type { CustomResourceDefinition } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { WorkQueue } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';
import { setCondition } from './crd-conditions-controller.js';

export function newCRDFinalizerController(ctx: ControllerContext): Controller {
  const crdResource = resourceFor('customresourcedefinitions', 'apiextensions.k8s.io');
  const crds = ctx.informers.for<CustomResourceDefinition>(crdResource);
  const now = () => ctx.now().toISOString().replace(/\.\d+Z$/, 'Z');

  const sync = async (name: string): Promise<void> => {
    const crd = crds.getByName(undefined, name);
    if (!crd?.metadata.deletionTimestamp || !crd.metadata.finalizers?.includes(customResourceCleanupFinalizer)) return;
    // Every version shares the storage: deleting through one deletes them all.
    const served = customResourceInfos(crd)[0]?.info;
    if (served) {
      const list = await ctx.client.list(served);
      for (const obj of list.items) {
        try {
          await ctx.client.delete(served, obj.metadata.namespace, obj.metadata.name!);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      if ((await ctx.client.list(served)).items.length) throw new Error(`${name}: instances remain`);
    }
    const conditions = setCondition(crd.status?.conditions ?? [], { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }, now());
    try {
      const updated = await ctx.client.updateStatus<CustomResourceDefinition>(crdResource, { ...crd, status: { ...crd.status, conditions } });
      const finalizers = updated.metadata.finalizers?.filter((f) => f !== customResourceCleanupFinalizer);
      await ctx.client.update<CustomResourceDefinition>(crdResource, { ...updated, metadata: { ...updated.metadata, finalizers } });
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e)) throw e;
    }
  };

  const queue = new WorkQueue(sync, { name: 'crd-finalizer', logger: ctx.logger.child('crd-finalizer') });
  return {
    name: 'crd-finalizer',
    start() {
      crds.addHandlers({ add: (c) => queue.add(c.metadata.name!), update: (_o, c) => queue.add(c.metadata.name!) });
    },
    stop() {
      queue.stop();
    },
  };
}
