// What the deployment sync functions share (upstream: the DeploymentController receiver):
// the client, the event recorder, the clock and the ReplicaSet cache.
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';

export const deploymentsResource = resourceFor('deployments', 'apps');
export const replicaSetsResource = resourceFor('replicasets', 'apps');
export const controllerKind = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;

export interface DeploymentDeps {
  client: ApiClient;
  recorder: EventRecorder;
  now(): Date;
  rsInformer: Informer<ReplicaSet>;
}

/** DeploymentStatus with Go's omitempty applied, so equal statuses compare and serialise equally. */
export function serialisedDeploymentStatus(s: DeploymentStatus | undefined): DeploymentStatus {
  const out: DeploymentStatus = {};
  if (!s) return out;
  if (s.observedGeneration) out.observedGeneration = s.observedGeneration;
  if (s.replicas) out.replicas = s.replicas;
  if (s.updatedReplicas) out.updatedReplicas = s.updatedReplicas;
  if (s.readyReplicas) out.readyReplicas = s.readyReplicas;
  if (s.availableReplicas) out.availableReplicas = s.availableReplicas;
  if (s.unavailableReplicas) out.unavailableReplicas = s.unavailableReplicas;
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.collisionCount !== undefined && s.collisionCount !== null) out.collisionCount = s.collisionCount;
  return out;
}

export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return JSON.stringify(serialisedDeploymentStatus(a)) === JSON.stringify(serialisedDeploymentStatus(b));
}

/**
 * UpdateStatus of the working copy; the copy takes the new resourceVersion so later writes in
 * the same sync do not conflict with this one.
 */
export async function updateDeploymentStatus(deps: DeploymentDeps, d: Deployment): Promise<void> {
  const written = await deps.client.updateStatus<Deployment>(deploymentsResource, { ...d, status: serialisedDeploymentStatus(d.status) });
  d.metadata.resourceVersion = written.metadata.resourceVersion;
}

/**
 * Writes the deployment's revision annotation. Upstream sends it with UpdateStatus (the
 * deployment status strategy keeps metadata changes); kanzen's status subresource keeps only
 * status, so the annotation goes as a metadata patch, which leaves generation unchanged.
 */
export async function updateDeploymentAnnotations(deps: DeploymentDeps, d: Deployment, annotations: Record<string, string>): Promise<void> {
  const written = await deps.client.patch<Deployment>(deploymentsResource, d.metadata.namespace, d.metadata.name!, 'merge', {
    metadata: { annotations, resourceVersion: d.metadata.resourceVersion },
  });
  d.metadata.resourceVersion = written.metadata.resourceVersion;
}
