// The ServiceAccounts controller (upstream pkg/controller/serviceaccount
// serviceaccounts_controller.go): every active namespace has a ServiceAccount named
// "default"; one that is deleted comes back.
import { isAlreadyExists, isNotFound } from '../api/errors.js';
import type { Namespace, ServiceAccount } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { WorkQueue } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';

const accountName = 'default';

export function newServiceAccountsController(ctx: ControllerContext): Controller {
  const accounts = resourceFor('serviceaccounts');
  const namespaces = ctx.informers.for<Namespace>(resourceFor('namespaces'));
  const serviceAccounts = ctx.informers.for<ServiceAccount>(accounts);

  const sync = async (ns: string): Promise<void> => {
    const namespace = namespaces.getByName(undefined, ns);
    if (!namespace || namespace.status?.phase === 'Terminating' || namespace.metadata.deletionTimestamp) return;
    if (serviceAccounts.getByName(ns, accountName)) return;
    try {
      await ctx.client.create<ServiceAccount>(accounts, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: accountName, namespace: ns } });
    } catch (e) {
      // Created meanwhile, or the namespace went away: nothing left to do.
      if (!isAlreadyExists(e) && !isNotFound(e) && !/being terminated/.test((e as Error).message)) throw e;
    }
  };

  const queue = new WorkQueue(sync, { name: 'serviceaccount', logger: ctx.logger.child('serviceaccounts') });
  return {
    name: 'serviceaccount-controller',
    start() {
      namespaces.addHandlers({ add: (ns) => queue.add(ns.metadata.name!), update: (_o, ns) => queue.add(ns.metadata.name!) });
      serviceAccounts.addHandlers({ delete: (sa) => sa.metadata.name === accountName && queue.add(sa.metadata.namespace!) });
    },
    stop() {
      queue.stop();
    },
  };
}
