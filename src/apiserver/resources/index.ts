// The table of resource modules: each served kind's defaults, strategy, subresource
// handlers, printer and scale. A kind not listed gets the generic strategy, the default
// printer and nothing else. Adding a kind is adding its module here, its entry in
// api/resources.ts and its schema.
import { defaultPrinter, type Printer } from '../../api/printers/index.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { ComputedSource } from '../computed-registry.js';
import type { ScaleStrategy, Strategy } from '../strategy.js';
import type { VersionConversion } from '../version-conversion.js';
import { apiservices } from './apiservices.js';
import { configmaps } from './configmaps.js';
import { cronjobs } from './cronjobs.js';
import { customresourcedefinitions } from './customresourcedefinitions.js';
import { controllerrevisions } from './controllerrevisions.js';
import { daemonsets } from './daemonsets.js';
import { defaultStrategy } from './default-strategy.js';
import { deployments } from './deployments.js';
import { endpoints } from './endpoints.js';
import { endpointslices } from './endpointslices.js';
import { events } from './events.js';
import { horizontalpodautoscalers } from './horizontalpodautoscalers.js';
import { ingressclasses } from './ingressclasses.js';
import { ingresses } from './ingresses.js';
import { jobs } from './jobs.js';
import { leases } from './leases.js';
import { limitranges } from './limitranges.js';
import { namespaces } from './namespaces.js';
import { networkpolicies } from './networkpolicies.js';
import { nodemetrics } from './nodemetrics.js';
import { nodes } from './nodes.js';
import { persistentvolumeclaims } from './persistentvolumeclaims.js';
import { persistentvolumes } from './persistentvolumes.js';
import { poddisruptionbudgets } from './poddisruptionbudgets.js';
import { clusterrolebindings } from './clusterrolebindings.js';
import { clusterroles } from './clusterroles.js';
import { rolebindings } from './rolebindings.js';
import { roles } from './roles.js';
import { podmetrics } from './podmetrics.js';
import { pods } from './pods.js';
import { priorityclasses } from './priorityclasses.js';
import { replicasets } from './replicasets.js';
import { resourcequotas } from './resourcequotas.js';
import type { CreateRequest, HandlerDeps, ResourceModule, StrategyDeps, SubresourceHandler, UpgradeHandler } from './resource-module.js';
import { labelSelectorScale } from './scale-strategy.js';
import { replicationcontrollers } from './replicationcontrollers.js';
import { secrets } from './secrets.js';
import { selfsubjectaccessreviews } from './selfsubjectaccessreviews.js';
import { selfsubjectreviews } from './selfsubjectreviews.js';
import { selfsubjectrulesreviews } from './selfsubjectrulesreviews.js';
import { subjectaccessreviews } from './subjectaccessreviews.js';
import { serviceaccounts } from './serviceaccounts.js';
import { services } from './services.js';
import { storageclasses } from './storageclasses.js';
import { statefulsets } from './statefulsets.js';
import { admitResourceQuotaUpdate } from '../resourcequota-admission.js';

export type { CreateRequest, HandlerDeps, ResourceModule, StrategyDeps, SubresourceHandler, SubresourceRequest, UpgradeHandler, UpgradeRequest } from './resource-module.js';

const modules = new Map<string, ResourceModule>([
  ['Pod', pods],
  ['Service', services],
  ['Namespace', namespaces],
  ['Node', nodes],
  ['ConfigMap', configmaps],
  ['Secret', secrets],
  ['ServiceAccount', serviceaccounts],
  ['Endpoints', endpoints],
  ['EndpointSlice', endpointslices],
  ['Event', events],
  ['Lease', leases],
  ['APIService', apiservices],
  ['NodeMetrics', nodemetrics],
  ['PodMetrics', podmetrics],
  ['Deployment', deployments],
  ['ReplicaSet', replicasets],
  ['PersistentVolume', persistentvolumes],
  ['PersistentVolumeClaim', persistentvolumeclaims],
  ['StorageClass', storageclasses],
  ['PriorityClass', priorityclasses],
  ['LimitRange', limitranges],
  ['ResourceQuota', resourcequotas],
  ['Job', jobs],
  ['CronJob', cronjobs],
  ['ReplicationController', replicationcontrollers],
  ['PodDisruptionBudget', poddisruptionbudgets],
  ['StatefulSet', statefulsets],
  ['ControllerRevision', controllerrevisions],
  ['DaemonSet', daemonsets],
  ['HorizontalPodAutoscaler', horizontalpodautoscalers],
  ['SelfSubjectReview', selfsubjectreviews],
  ['SelfSubjectAccessReview', selfsubjectaccessreviews],
  ['SelfSubjectRulesReview', selfsubjectrulesreviews],
  ['SubjectAccessReview', subjectaccessreviews],
  ['Role', roles],
  ['ClusterRole', clusterroles],
  ['RoleBinding', rolebindings],
  ['ClusterRoleBinding', clusterrolebindings],
  ['CustomResourceDefinition', customresourcedefinitions],
  ['Ingress', ingresses],
  ['IngressClass', ingressclasses],
  ['NetworkPolicy', networkpolicies],
]);

/**
 * The generic registry's behaviour: ObjectMeta rules only. Its Scale (served only where
 * api/resources.ts declares the subresource) is the apps/v1 one, until the kind's module
 * declares its own.
 */
const generic: ResourceModule = { strategy: (info) => defaultStrategy(info), scale: labelSelectorScale };

/** Modules of resources served while something defines them (custom resources), by their ResourceInfo. */
const dynamicModules = new Map<ResourceInfo, ResourceModule>();

/** Serves a dynamically added resource with module (set before its registry is built). */
export function setResourceModule(info: ResourceInfo, module: ResourceModule): void {
  dynamicModules.set(info, module);
}

export function dropResourceModule(info: ResourceInfo): void {
  dynamicModules.delete(info);
}

export function resourceModule(info: ResourceInfo): ResourceModule {
  return dynamicModules.get(info) ?? modules.get(info.kind) ?? generic;
}

/** The resource's strategy, with its module's update admission when the server's handler deps are given. */
export function strategyFor(info: ResourceInfo, deps: StrategyDeps, handlerDeps?: HandlerDeps): Strategy {
  const m = resourceModule(info);
  const strategy = m.strategy(info, deps);
  const admitUpdate = m.admitUpdate;
  if (!handlerDeps) return strategy;
  // The resource's own update admission, then ResourceQuota's, last as upstream orders it.
  strategy.admitUpdate = async (obj, old, dryRun) => {
    await admitUpdate?.(obj, old, handlerDeps);
    await admitResourceQuotaUpdate(info, obj, old, handlerDeps, new Date(), dryRun);
  };
  const authorizeWrite = m.authorizeWrite;
  if (authorizeWrite) strategy.authorizeWrite = (obj, old, user) => authorizeWrite(obj, old, user, handlerDeps);
  return strategy;
}

/** The subresources the resource serves with handlers of their own, by name. */
export function subresourceHandlers(info: ResourceInfo, deps: HandlerDeps): Record<string, SubresourceHandler> {
  return resourceModule(info).handlers?.(deps) ?? {};
}

/** The subresources the resource serves over upgraded connections, by name. */
export function upgradeHandlers(info: ResourceInfo, deps: HandlerDeps): Record<string, UpgradeHandler> {
  return resourceModule(info).upgrades?.(deps) ?? {};
}

/** How a version served by conversion converts to and from its storage version; undefined for a stored version. */
export function conversionFor(info: ResourceInfo): VersionConversion | undefined {
  if (!info.storageVersion || info.storageVersion === info.version) return undefined;
  const conversion = resourceModule(info).conversions?.[info.version];
  if (!conversion) throw new Error(`${info.resource}.${info.group}/${info.version} has no conversion from ${info.storageVersion}`);
  return conversion;
}

/**
 * The resource's Table columns: its module's printer, or the default NAME / CREATED AT. A version
 * served by conversion prints its objects as the storage version's (upstream prints the internal
 * object), so every version shows the same rows.
 */
export function printerFor(info: ResourceInfo): Printer {
  const printer = resourceModule(info).printer ?? defaultPrinter;
  const conversion = conversionFor(info);
  if (!conversion) return printer;
  return { columns: printer.columns, row: (obj, now) => ({ ...printer.row(conversion.toStorage(obj), now), object: obj }) };
}

/** The resource's scale subresource, if its module declares one. */
export function scaleFor(info: ResourceInfo): ScaleStrategy | undefined {
  return resourceModule(info).scale;
}

/** The source of a resource computed on request instead of stored, if it is one. */
export function computedSource(info: ResourceInfo, deps: HandlerDeps): ComputedSource | undefined {
  return resourceModule(info).computed?.(deps);
}

/** The create the resource serves itself instead of storing, if it has one. */
export function ownCreate(info: ResourceInfo): ((r: CreateRequest) => Promise<void>) | undefined {
  return resourceModule(info).create;
}

/** The resource's mutating admission of a new object, if it has one. */
export function admitCreate(info: ResourceInfo, obj: KubeObject, namespace: string, deps: HandlerDeps): Promise<void> {
  return resourceModule(info).admitCreate?.(obj, namespace, deps) ?? Promise.resolve();
}

/** What the API server does to an object before validating it on create and update. */
export function applyDefaults(info: ResourceInfo, obj: KubeObject): void {
  obj.metadata ??= {};
  // The registry clears metadata.namespace of cluster-scoped objects before validation.
  if (!info.namespaced) delete obj.metadata.namespace;
  resourceModule(info).defaults?.(obj);
}
