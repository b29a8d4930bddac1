// The resources kanzen serves, with the discovery facts Kubernetes publishes for them
// (names, short names, categories, verbs, subresources). Discovery, OpenAPI, routing
// and storage keys are all derived from this one table. Groups come in the order upstream's
// /apis lists them.
import type { JSONSchemaProps } from './schema/api-types.js';

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface SubresourceInfo {
  name: string; // "status", "scale", "binding", "eviction", "ephemeralcontainers", "log", "exec", "attach"
  verbs: string[];
  kind: string;
  group?: string; // scale is autoscaling/v1 Scale
  version?: string;
}

export interface ResourceInfo {
  group: string; // "" for core
  version: string;
  resource: string; // plural, lower case
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  subresources: SubresourceInfo[];
  /** The warning every request to a deprecated API version carries (the apiserver's deprecation filter). */
  deprecationWarning?: string;
  /**
   * The version objects are stored in when it is not this one: this version is served by
   * conversion (the resource module's `conversions`), as autoscaling/v1 HorizontalPodAutoscalers
   * are stored as autoscaling/v2.
   */
  storageVersion?: string;
  /** Set for a custom resource: what its CRD version publishes (OpenAPI is built from it, not from the field schema). */
  custom?: CustomResourceFacts;
}

/** A served CRD version's published facts (upstream apiextensions-apiserver's OpenAPI builder input). */
export interface CustomResourceFacts {
  /** spec.versions[].schema.openAPIV3Schema, when the version has one. */
  schema?: JSONSchemaProps;
  /** spec.versions[].selectableFields' JSON paths (.spec.color). */
  selectableFields: string[];
}

const status = (kind: string): SubresourceInfo => ({ name: 'status', verbs: ['get', 'patch', 'update'], kind });
const scale: SubresourceInfo = { name: 'scale', verbs: ['get', 'patch', 'update'], kind: 'Scale', group: 'autoscaling', version: 'v1' };

function resource(
  group: string,
  version: string,
  resourceName: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<Pick<ResourceInfo, 'shortNames' | 'categories' | 'subresources' | 'verbs' | 'singular' | 'deprecationWarning' | 'storageVersion'>> = {},
): ResourceInfo {
  return {
    group,
    version,
    resource: resourceName,
    singular: extra.singular ?? kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    shortNames: extra.shortNames,
    categories: extra.categories,
    verbs: extra.verbs ?? allVerbs,
    subresources: extra.subresources ?? [],
    ...(extra.deprecationWarning ? { deprecationWarning: extra.deprecationWarning } : {}),
    ...(extra.storageVersion ? { storageVersion: extra.storageVersion } : {}),
  };
}

export const resources: ResourceInfo[] = [
  resource('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [status('Namespace'), { name: 'finalize', verbs: ['update'], kind: 'Namespace' }],
  }),
  resource('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: [status('Node')] }),
  resource('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      status('Pod'),
      { name: 'binding', verbs: ['create'], kind: 'Binding' },
      { name: 'eviction', verbs: ['create'], kind: 'Eviction', group: 'policy', version: 'v1' },
      { name: 'ephemeralcontainers', verbs: ['get', 'patch', 'update'], kind: 'Pod' },
      { name: 'log', verbs: ['get'], kind: 'Pod' },
      { name: 'exec', verbs: ['create', 'get'], kind: 'PodExecOptions' },
      { name: 'attach', verbs: ['create', 'get'], kind: 'PodAttachOptions' },
      { name: 'portforward', verbs: ['create', 'get'], kind: 'PodPortForwardOptions' },
      { name: 'proxy', verbs: ['create', 'delete', 'get', 'patch', 'update'], kind: 'PodProxyOptions' },
    ],
  }),
  resource('', 'v1', 'services', 'Service', true, {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [status('Service'), { name: 'proxy', verbs: ['create', 'delete', 'get', 'patch', 'update'], kind: 'ServiceProxyOptions' }],
  }),
  // KEP-4974 deprecated v1 Endpoints in 1.33.
  resource('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'], singular: 'endpoints', deprecationWarning: 'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice' }),
  resource('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  resource('', 'v1', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: [status('PersistentVolume')] }),
  resource('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'], subresources: [status('PersistentVolumeClaim')] }),
  resource('', 'v1', 'replicationcontrollers', 'ReplicationController', true, {
    shortNames: ['rc'],
    categories: ['all'],
    subresources: [status('ReplicationController'), scale],
  }),
  resource('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  resource('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: [status('ResourceQuota')] }),
  resource('', 'v1', 'secrets', 'Secret', true),
  resource('', 'v1', 'serviceaccounts', 'ServiceAccount', true, {
    shortNames: ['sa'],
    subresources: [{ name: 'token', verbs: ['create'], kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1' }],
  }),
  resource('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  // Who serves each group/version (kube-aggregator); listed first in /apis as upstream lists it.
  resource('apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false, { categories: ['api-extensions'], subresources: [status('APIService')] }),
  resource('apps', 'v1', 'deployments', 'Deployment', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [status('Deployment'), scale],
  }),
  resource('apps', 'v1', 'replicasets', 'ReplicaSet', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [status('ReplicaSet'), scale],
  }),
  resource('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: [status('StatefulSet'), scale],
  }),
  resource('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ['all'], subresources: [status('DaemonSet')] }),
  resource('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  // Reviews: created and answered, never stored (their modules in apiserver/resources).
  resource('authentication.k8s.io', 'v1', 'selfsubjectreviews', 'SelfSubjectReview', false, { verbs: ['create'] }),
  resource('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'] }),
  resource('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, { verbs: ['create'] }),
  resource('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', false, { verbs: ['create'] }),
  // autoscaling/v2 is stored and preferred; autoscaling/v1 is served from it by conversion.
  resource('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: [status('HorizontalPodAutoscaler')],
  }),
  resource('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: [status('HorizontalPodAutoscaler')],
    storageVersion: 'v2',
  }),
  resource('batch', 'v1', 'jobs', 'Job', true, { categories: ['all'], subresources: [status('Job')] }),
  resource('batch', 'v1', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ['all'], subresources: [status('CronJob')] }),
  // networking.k8s.io/v1 (upstream pkg/registry/networking): no categories, so `kubectl get all` skips them.
  resource('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  resource('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { shortNames: ['ing'], subresources: [status('Ingress')] }),
  resource('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  resource('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, { shortNames: ['pdb'], subresources: [status('PodDisruptionBudget')] }),
  resource('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  resource('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  resource('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  resource('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  resource('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  resource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: [status('CustomResourceDefinition')],
  }),
  // Upstream's discovery order: apiextensions.k8s.io, scheduling.k8s.io, then coordination.k8s.io.
  resource('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, { shortNames: ['pc'] }),
  resource('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  resource('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
];

/**
 * The resource metrics API: not in `resources` from the start but served while the
 * v1beta1.metrics.k8s.io APIService exists (apiserver/apiservice-serving.ts), as the aggregator
 * serves a group only while its APIService is registered — an extension group, so last in /apis.
 * metrics-server serves only get and list; kanzen computes the objects on request
 * (apiserver/resources/nodemetrics.ts, podmetrics.ts) and stores none.
 */
export const metricsResources: readonly ResourceInfo[] = [
  resource('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false, { verbs: ['get', 'list'] }),
  resource('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true, { verbs: ['get', 'list'] }),
];

export function groupVersion(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** All group/versions served, core first, in discovery order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of resources) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.resource === plural);
}

export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return resources.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

/** The resource for a kind regardless of version, e.g. for ownerReferences and events. */
export function findKind(kind: string): ResourceInfo | undefined {
  return resources.find((r) => r.kind === kind);
}

/** The version a resource's objects are stored in. */
export function storageVersionOf(r: Pick<ResourceInfo, 'version' | 'storageVersion'>): string {
  return r.storageVersion ?? r.version;
}

/** Storage key, laid out as Kubernetes lays out etcd: /registry/<group>/<resource>/<ns>/<name>. */
export function storageKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${storagePrefix(r, namespace)}${name}`;
}

/** Prefix that lists a resource (in one namespace, or all when namespace is empty). */
export function storagePrefix(r: ResourceInfo, namespace?: string): string {
  const base = r.group ? `/registry/${r.group}/${r.resource}/` : `/registry/${r.resource}/`;
  if (!r.namespaced) return base;
  return namespace ? `${base}${namespace}/` : base;
}

/**
 * Resources served while something defines them (CustomResourceDefinitions; the APIService of a
 * group the API server serves itself): added to and removed from `resources`, so discovery,
 * routing, OpenAPI and clients see them exactly as the built-in ones. Listeners hear of each change.
 */
const resourceListeners = new Set<() => void>();

export function addResource(info: ResourceInfo): void {
  const i = resources.findIndex((r) => r.group === info.group && r.version === info.version && r.resource === info.resource);
  if (i >= 0) resources[i] = info;
  else resources.push(info);
  for (const l of resourceListeners) l();
}

export function removeResource(info: Pick<ResourceInfo, 'group' | 'version' | 'resource'>): void {
  const i = resources.findIndex((r) => r.group === info.group && r.version === info.version && r.resource === info.resource);
  if (i < 0) return;
  resources.splice(i, 1);
  for (const l of resourceListeners) l();
}

/** Calls fn after every addResource / removeResource (caches of derived documents drop themselves). */
export function onResourcesChanged(fn: () => void): () => void {
  resourceListeners.add(fn);
  return () => resourceListeners.delete(fn);
}
