// Objects every cluster has from its first start (upstream: the apiserver's system
// namespaces controller and the kubernetes Service/endpoint reconciler).
import { ApiError } from '../api/errors.js';
import type { EndpointSubset, Endpoints, EndpointSlice, KubeObject, Service } from '../api/types.js';
import { systemPriorityClasses } from '../api/validation/scheduling-validation.js';
import { registerAPIServices } from './apiservice-autoregister.js';
import type { ApiServer } from './server.js';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface BootstrapOptions {
  /** IP of the `kubernetes` Service (the first of the service CIDR). */
  kubernetesServiceIP: string;
  /** Where pods reach the API server (an address inside the cluster network). */
  advertiseAddress: string;
  advertisePort: number;
}

const ctx = { dryRun: false, fieldManager: 'kube-apiserver' };

async function ensure(server: ApiServer, resource: string, group: string, namespace: string | undefined, obj: KubeObject): Promise<void> {
  const reg = server.registry(resource, group);
  const existing = await reg.tryGet(namespace, obj.metadata.name!);
  if (!existing) {
    try {
      await reg.create(namespace, obj, ctx);
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }
}

/** The endpoints of `kubernetes` follow the API server's advertised address; keep them current. */
async function reconcileKubernetesEndpoints(server: ApiServer, opts: BootstrapOptions): Promise<void> {
  const subsets: EndpointSubset[] = [{ addresses: [{ ip: opts.advertiseAddress }], ports: [{ name: 'https', port: opts.advertisePort, protocol: 'TCP' }] }];
  await server.registry('endpoints').update(
    'default',
    'kubernetes',
    (cur) => {
      const ep = (cur ?? { metadata: { name: 'kubernetes', namespace: 'default' } }) as Endpoints;
      ep.metadata.labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
      ep.subsets = subsets;
      return ep;
    },
    ctx,
  );
  await server.registry('endpointslices', 'discovery.k8s.io').update(
    'default',
    'kubernetes',
    (cur) => {
      const slice = (cur ?? { metadata: { name: 'kubernetes', namespace: 'default' } }) as EndpointSlice;
      slice.metadata.labels = { 'kubernetes.io/service-name': 'kubernetes' };
      slice.addressType = 'IPv4';
      slice.endpoints = [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }];
      slice.ports = [{ name: 'https', port: opts.advertisePort, protocol: 'TCP' }];
      return slice;
    },
    { ...ctx, operation: 'Update' },
  ).catch(async (e) => {
    // EndpointSlices do not allow create-on-update: create it the first time.
    if (!(e instanceof ApiError && e.code === 404)) throw e;
    await server.registry('endpointslices', 'discovery.k8s.io').create('default', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }],
      ports: [{ name: 'https', port: opts.advertisePort, protocol: 'TCP' }],
    } as EndpointSlice, ctx);
  });
}

export async function bootstrapCluster(server: ApiServer, opts: BootstrapOptions): Promise<void> {
  for (const name of systemNamespaces) {
    await ensure(server, 'namespaces', '', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: opts.kubernetesServiceIP,
      clusterIPs: [opts.kubernetesServiceIP],
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: opts.advertisePort }],
      sessionAffinity: 'None',
    },
  };
  await ensure(server, 'services', '', 'default', svc);
  await reconcileKubernetesEndpoints(server, opts);
  // The built-in PriorityClasses (upstream: the scheduling REST storage's post-start hook).
  for (const pc of systemPriorityClasses) {
    await ensure(server, 'priorityclasses', 'scheduling.k8s.io', undefined, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: pc.name },
      value: pc.value,
      description: pc.description,
    });
  }
  await registerAPIServices(server);
}
