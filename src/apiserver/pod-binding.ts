// pods/binding (upstream pkg/registry/core/pod/storage BindingREST): the scheduler's way
// to assign a pod to a node. Only an unassigned, live pod can be bound.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, field, orderedStatus } from '../api/errors.js';
import type { KubeObject, Pod } from '../api/types.js';
import { requestBody, sendJSON } from './http.js';
import type { Registry } from './registry.js';
import type { RequestInfo } from './request-info.js';
import { rfc3339 } from '../api/time.js';

interface Binding extends KubeObject {
  target?: { kind?: string; name?: string; apiVersion?: string };
}

export async function handleBinding(pods: Registry, ri: RequestInfo, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const binding = (await requestBody(req)).value as Binding;
  const name = ri.name!;
  const target = binding?.target?.name;
  if (!target) throw ApiError.invalid('', 'Binding', name, [field.required('target.name', '')]);
  if (binding.metadata?.name && binding.metadata.name !== name) {
    throw ApiError.badRequest(`the name of the object (${binding.metadata.name}) does not match the name on the URL (${name})`);
  }
  await pods.update(
    ri.namespace,
    name,
    (cur) => {
      const pod = cur as Pod | undefined;
      if (!pod) throw ApiError.notFound(pods.gr, name);
      if (pod.metadata.deletionTimestamp) throw ApiError.conflict(pods.gr, name, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec.nodeName) throw ApiError.conflict(pods.gr, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec.nodeName = target;
      if (binding.metadata?.annotations) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...binding.metadata.annotations };
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(new Date()) });
      pod.status = { ...(pod.status ?? {}), conditions };
      return pod;
    },
    { dryRun: url.searchParams.has('dryRun'), fieldManager: url.searchParams.get('fieldManager') ?? 'kube-scheduler', subresource: 'binding', bypassStrategy: true },
  );
  sendJSON(res, 201, orderedStatus({ status: 'Success', code: 201 }));
}
