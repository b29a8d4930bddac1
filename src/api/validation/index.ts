// Validation entry points the API server calls on create, update and status update,
// dispatching by kind. Unknown kinds get ObjectMeta validation only.
import type { FieldError } from '../errors.js';
import type { ResourceInfo } from '../resources.js';
import type { ConfigMap, Deployment, EndpointSlice, Endpoints, Event, KubeObject, Lease, Namespace, Node, Pod, ReplicaSet, Secret, Service } from '../types.js';
import { validateDeployment, validateDeploymentUpdate, validateReplicaSet, validateReplicaSetUpdate, validateWorkloadStatusUpdate } from './apps-validation.js';
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateEndpoints,
  validateEvent,
  validateLease,
  validateNamespace,
  validateNode,
  validateNodeUpdate,
  validateSecret,
  validateSecretUpdate,
} from './core-validation.js';
import { nameValidatorFor, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from './pod-validation.js';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from './service-validation.js';

export function validateCreate(info: ResourceInfo, obj: KubeObject): FieldError[] {
  switch (info.kind) {
    case 'Pod':
      return validatePod(obj as Pod);
    case 'Service':
      return validateService(obj as Service);
    case 'Deployment':
      return validateDeployment(obj as Deployment);
    case 'ReplicaSet':
      return validateReplicaSet(obj as ReplicaSet);
    case 'ConfigMap':
      return validateConfigMap(obj as ConfigMap);
    case 'Secret':
      return validateSecret(obj as Secret);
    case 'Namespace':
      return validateNamespace(obj as Namespace);
    case 'Node':
      return validateNode(obj as Node);
    case 'Endpoints':
      return validateEndpoints(obj as Endpoints);
    case 'EndpointSlice':
      return validateEndpointSlice(obj as EndpointSlice);
    case 'Event':
      return validateEvent(obj as Event);
    case 'Lease':
      return validateLease(obj as Lease);
    default:
      return validateObjectMeta(obj.metadata, info.namespaced, nameValidatorFor(info.kind));
  }
}

export function validateUpdate(info: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[] {
  switch (info.kind) {
    case 'Pod':
      return validatePodUpdate(obj as Pod, old as Pod);
    case 'Service':
      return validateServiceUpdate(obj as Service, old as Service);
    case 'Deployment':
      return validateDeploymentUpdate(obj as Deployment, old as Deployment);
    case 'ReplicaSet':
      return validateReplicaSetUpdate(obj as ReplicaSet, old as ReplicaSet);
    case 'ConfigMap':
      return [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateConfigMapUpdate(obj as ConfigMap, old as ConfigMap)];
    case 'Secret':
      return [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateSecretUpdate(obj as Secret, old as Secret)];
    case 'Node':
      return [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateNodeUpdate(obj as Node, old as Node)];
    case 'EndpointSlice':
      return [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateEndpointSliceUpdate(obj as EndpointSlice, old as EndpointSlice)];
    case 'Namespace':
    case 'Endpoints':
    case 'Event':
    case 'Lease': {
      const create = validateCreate(info, obj).filter((e) => !e.field.startsWith('metadata.'));
      return [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...create];
    }
    default:
      return validateObjectMetaUpdate(obj.metadata, old.metadata);
  }
}

export function validateStatusUpdate(info: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[] {
  switch (info.kind) {
    case 'Pod':
      return validatePodStatusUpdate(obj as Pod, old as Pod);
    case 'Service':
      return validateServiceStatusUpdate(obj as Service, old as Service);
    case 'Deployment':
    case 'ReplicaSet':
      return validateWorkloadStatusUpdate(obj as Deployment, old as Deployment);
    default:
      return validateObjectMetaUpdate(obj.metadata, old.metadata);
  }
}

export { validatePodSpec, validatePodTemplateSpec } from './pod-validation.js';
