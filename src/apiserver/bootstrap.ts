// Objects every cluster has from its first start (upstream: the apiserver's system
// namespaces controller and the kubernetes Service/endpoint reconciler).
import { ApiError } from '../api/errors.js';
import type { EndpointSubset, Endpoints, EndpointSlice, KubeObject, Service } from '../api/types.js';
import { systemPriorityClasses } from '../api/validation/scheduling-validation.js';
import { registerAPIServices } from './apiservice-autoregister.js';
import type { ApiServer } from './server.js';
import { clusterRoleBindings, clusterRoles } from './authorization/bootstrap-policy.js';

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

/**
 * The endpoints of a Service whose only backend is the API server itself (`kubernetes`, and
 * metrics-server's): they follow the server's advertised address; keep them current. Neither
 * Service has a selector, so no endpoints controller writes them.
 */
async function reconcileAPIServerEndpoints(server: ApiServer, namespace: string, name: string, opts: BootstrapOptions): Promise<void> {
  const subsets: EndpointSubset[] = [{ addresses: [{ ip: opts.advertiseAddress }], ports: [{ name: 'https', port: opts.advertisePort, protocol: 'TCP' }] }];
  await server.registry('endpoints').update(
    namespace,
    name,
    (cur) => {
      const ep = (cur ?? { metadata: { name, namespace } }) as Endpoints;
      ep.metadata.labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
      ep.subsets = subsets;
      return ep;
    },
    ctx,
  );
  const slice = (cur?: EndpointSlice): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    ...cur,
    metadata: { ...cur?.metadata, name, namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port: opts.advertisePort, protocol: 'TCP' }],
  });
  await server
    .registry('endpointslices', 'discovery.k8s.io')
    .update(namespace, name, (cur) => slice(cur as EndpointSlice), { ...ctx, operation: 'Update' })
    .catch(async (e) => {
      // EndpointSlices do not allow create-on-update: create it the first time.
      if (!(e instanceof ApiError && e.code === 404)) throw e;
      await server.registry('endpointslices', 'discovery.k8s.io').create(namespace, slice(), ctx);
    });
}

/**
 * metrics-server's Service, which its APIService (v1beta1.metrics.k8s.io) names. kanzen's API
 * server serves metrics.k8s.io itself, so rather than an APIService marked Local (which would
 * say "built in" where every cluster with metrics-server says kube-system/metrics-server), the
 * Service exists as in metrics-server's manifest, port 443 named https, but without a selector:
 * its one endpoint is the API server's own address. `kubectl get apiservice` and `kubectl get
 * svc -n kube-system` then agree, the availability checks (Service, port, endpoints) pass for a
 * real reason, and a pod that calls the Service reaches the process that answers the group.
 */
function metricsServerService(opts: BootstrapOptions): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } },
    spec: { type: 'ClusterIP', ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: opts.advertisePort }], sessionAffinity: 'None' },
  };
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
  // RBAC's bootstrap policy (upstream's rbac/bootstrap-roles post-start hook).
  for (const role of clusterRoles) await ensure(server, 'clusterroles', 'rbac.authorization.k8s.io', undefined, role);
  for (const b of clusterRoleBindings) await ensure(server, 'clusterrolebindings', 'rbac.authorization.k8s.io', undefined, b);
  await reconcileAPIServerEndpoints(server, 'default', 'kubernetes', opts);
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
  await ensure(server, 'services', '', 'kube-system', metricsServerService(opts));
  await reconcileAPIServerEndpoints(server, 'kube-system', 'metrics-server', opts);
  await registerAPIServices(server);
}
