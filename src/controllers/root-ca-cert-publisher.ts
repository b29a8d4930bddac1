// The root CA certificate publisher (upstream pkg/controller/certificates/rootcacertpublisher):
// every active namespace has the ConfigMap "kube-root-ca.crt" holding the cluster CA under
// "ca.crt", kept as it should be if it is edited or deleted.
import { isAlreadyExists, isNotFound } from '../api/errors.js';
import type { ConfigMap, Namespace } from '../api/types.js';
import { resourceFor } from '../client/api-client.js';
import { WorkQueue } from '../client/work-queue.js';
import type { Controller, ControllerContext } from './controller-context.js';

export const rootCAConfigMapName = 'kube-root-ca.crt';
const description = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export function newRootCACertPublisher(ctx: ControllerContext): Controller {
  const caCert = ctx.options.rootCACert;
  const configMaps = resourceFor('configmaps');
  const namespaces = ctx.informers.for<Namespace>(resourceFor('namespaces'));
  const maps = ctx.informers.for<ConfigMap>(configMaps);

  const sync = async (ns: string): Promise<void> => {
    const namespace = namespaces.getByName(undefined, ns);
    if (!caCert || !namespace || namespace.status?.phase === 'Terminating' || namespace.metadata.deletionTimestamp) return;
    const cm = maps.getByName(ns, rootCAConfigMapName);
    const data = { 'ca.crt': caCert };
    const annotations = { 'kubernetes.io/description': description };
    try {
      if (!cm) {
        await ctx.client.create<ConfigMap>(configMaps, ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: rootCAConfigMapName, namespace: ns, annotations }, data });
      } else if (cm.data?.['ca.crt'] !== caCert || Object.keys(cm.data ?? {}).length !== 1) {
        await ctx.client.update<ConfigMap>(configMaps, { ...cm, metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, ...annotations } }, data });
      }
    } catch (e) {
      if (!isAlreadyExists(e) && !isNotFound(e) && !/being terminated/.test((e as Error).message)) throw e;
    }
  };

  const queue = new WorkQueue(sync, { name: 'root-ca-cert-publisher', logger: ctx.logger.child('root-ca-cert-publisher') });
  const forMap = (cm: ConfigMap) => cm.metadata.name === rootCAConfigMapName && queue.add(cm.metadata.namespace!);
  return {
    name: 'root-ca-cert-publisher',
    start() {
      namespaces.addHandlers({ add: (ns) => queue.add(ns.metadata.name!), update: (_o, ns) => queue.add(ns.metadata.name!) });
      maps.addHandlers({ update: (_o, cm) => forMap(cm), delete: forMap });
    },
    stop() {
      queue.stop();
    },
  };
}
