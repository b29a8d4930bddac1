// Informers → records index: each object is shrunk to its minimal record on arrival
// (records.ts) and the index reports which precomputed answers it invalidates.
import type { EndpointSlice, KubeObject, Pod, Service } from '../../../api/types.js';
import { resourceFor } from '../../../client/api-client.js';
import type { InformerFactory } from '../../../client/informer-factory.js';
import { objectKey } from '../../../client/informer.js';
import { ClusterIndex } from './cluster-index.js';
import { serviceNameLabel, toEndpointsRecord, toPodRecord, toServiceRecord } from './records.js';

export interface ClusterWatch {
  index: ClusterIndex;
  synced(): boolean;
  waitForSync(): Promise<void>;
  /** Adds the Pod informer (pods verified); idempotent. */
  enablePods(): void;
}

/** Wires the Service, EndpointSlice, Namespace and (pods verified) Pod informers. */
export function watchCluster(informers: InformerFactory, opts: { now?: () => number } = {}): ClusterWatch {
  const index = new ClusterIndex(opts.now);
  const svcs = informers.for<Service>(resourceFor('services'));
  const slices = informers.for<EndpointSlice>(resourceFor('endpointslices', 'discovery.k8s.io'));
  const nss = informers.for<KubeObject>(resourceFor('namespaces'));
  svcs.addHandlers({
    add: (s) => index.setService(objectKey(s), toServiceRecord(s)),
    update: (_, s) => index.setService(objectKey(s), toServiceRecord(s)),
    delete: (s) => index.setService(objectKey(s), undefined),
  });
  const setSlice = (s: EndpointSlice, old?: EndpointSlice) =>
    index.setEndpointSlice(objectKey(s), toEndpointsRecord(s) ?? undefined, old?.metadata.labels?.[serviceNameLabel]);
  slices.addHandlers({
    add: (s) => setSlice(s),
    update: (o, s) => setSlice(s, o),
    delete: (s) => index.setEndpointSlice(objectKey(s), undefined, s.metadata.labels?.[serviceNameLabel]),
  });
  nss.addHandlers({
    add: (n) => index.setNamespace(n.metadata.name ?? '', true),
    delete: (n) => index.setNamespace(n.metadata.name ?? '', false),
  });
  const all: { hasSynced(): boolean; waitForSync(): Promise<void> }[] = [svcs, slices, nss];
  let podsOn = false;
  const enablePods = () => {
    if (podsOn) return;
    podsOn = true;
    const pods = informers.for<Pod>(resourceFor('pods'));
    pods.addHandlers({
      add: (p) => index.setPod(objectKey(p), toPodRecord(p) ?? undefined),
      update: (_, p) => index.setPod(objectKey(p), toPodRecord(p) ?? undefined),
      delete: (p) => index.setPod(objectKey(p), undefined),
    });
    all.push(pods);
  };
  return {
    enablePods,
    index,
    synced: () => all.every((i) => i.hasSynced()),
    waitForSync: () => Promise.all(all.map((i) => i.waitForSync())).then(() => undefined),
  };
}
