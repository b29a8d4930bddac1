// applyDefaults: what the API server does to an object before validating it on create
// and update (scheme defaulting plus the defaulting admission plugins).
import type { ResourceInfo } from '../resources.js';
import type { Deployment, EndpointSlice, Endpoints, KubeObject, Namespace, Node, Pod, ReplicaSet, Secret, Service } from '../types.js';
import { defaultDeployment } from './deployment.js';
import { defaultEndpointSlice, defaultEndpoints } from './endpoints.js';
import { defaultNamespace } from './namespace.js';
import { defaultNode } from './node.js';
import { defaultPod } from './pod.js';
import { defaultReplicaSet } from './replicaset.js';
import { defaultSecret } from './secret.js';
import { defaultService } from './service.js';

export { prepareServiceForUpdate } from './service.js';
export { imagePullPolicyFor } from './pod-spec.js';

export function applyDefaults(info: ResourceInfo, obj: KubeObject): void {
  obj.metadata ??= {};
  // The registry clears metadata.namespace of cluster-scoped objects before validation.
  if (!info.namespaced) delete obj.metadata.namespace;
  switch (info.kind) {
    case 'Pod':
      return defaultPod(obj as Pod);
    case 'Service':
      return defaultService(obj as Service);
    case 'Deployment':
      if ((obj as Deployment).spec) defaultDeployment(obj as Deployment);
      return;
    case 'ReplicaSet':
      if ((obj as ReplicaSet).spec) defaultReplicaSet(obj as ReplicaSet);
      return;
    case 'Namespace':
      return defaultNamespace(obj as Namespace);
    case 'Secret':
      return defaultSecret(obj as Secret);
    case 'Node':
      return defaultNode(obj as Node);
    case 'Endpoints':
      return defaultEndpoints(obj as Endpoints);
    case 'EndpointSlice':
      return defaultEndpointSlice(obj as EndpointSlice);
    default:
      return;
  }
}
