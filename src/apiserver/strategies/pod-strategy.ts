// Pods (upstream pkg/registry/core/pod/strategy.go): a new pod starts Pending with its QoS
// class; deletion of a scheduled, unfinished pod is graceful so its node can stop it first;
// pods/ephemeralcontainers changes spec.ephemeralContainers and nothing else.
import type { DeleteOptions, KubeObject, ObjectMeta, Pod } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import { validatePodEphemeralContainersUpdate } from '../../api/validation/pod-validation.js';
import type { Strategy, SubresourceStrategy } from '../strategy.js';
import { defaultStrategy } from './default-strategy.js';
import { mountServiceAccountToken } from '../serviceaccount-admission.js';

const defaultTerminationGracePeriodSeconds = 30;

/** The pod's QoS class (upstream qos.GetPodQOS), shown by kubectl describe. */
export function podQOSClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anySet = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** metav1.ResetObjectMetaForStatus: what a subresource write may not change in metadata. */
const metadataKeptBySubresources = ['deletionTimestamp', 'generation', 'selfLink', 'labels', 'annotations', 'finalizers', 'ownerReferences'] as const;

function resetObjectMetaForSubresource(meta: ObjectMeta, old: ObjectMeta): ObjectMeta {
  const out: Record<string, unknown> = { ...meta };
  const prev = old as Record<string, unknown>;
  for (const k of metadataKeptBySubresources) {
    if (prev[k] === undefined) delete out[k];
    else out[k] = prev[k];
  }
  return out as ObjectMeta;
}

/** upstream podEphemeralContainersStrategy (dropNonEphemeralContainerUpdates + ValidatePodEphemeralContainersUpdate). */
export const ephemeralContainersStrategy: SubresourceStrategy = {
  prepareForUpdate(obj: KubeObject, old: KubeObject): KubeObject {
    const pod = obj as Pod;
    const next = structuredClone(old) as Pod;
    const ephemeral = pod.spec?.ephemeralContainers;
    if (ephemeral === undefined || ephemeral === null) delete next.spec.ephemeralContainers;
    else next.spec.ephemeralContainers = ephemeral;
    next.metadata = resetObjectMetaForSubresource(pod.metadata, old.metadata);
    return next;
  },
  validateUpdate: (obj: KubeObject, old: KubeObject) => validatePodEphemeralContainersUpdate(obj as Pod, old as Pod),
};

export function podStrategy(info: ResourceInfo, mountTokens = false): Strategy {
  return defaultStrategy(info, {
    subresources: { ephemeralcontainers: ephemeralContainersStrategy },
    prepareForCreate(obj: KubeObject) {
      const pod = obj as Pod;
      if (mountTokens) mountServiceAccountToken(pod);
      pod.status = { phase: 'Pending', qosClass: podQOSClass(pod) };
    },
    gracePeriod(obj: KubeObject, opts: DeleteOptions): number {
      const pod = obj as Pod;
      // Unscheduled or finished pods have nothing to stop: they go at once.
      if (!pod.spec.nodeName) return 0;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
      const grace = opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? defaultTerminationGracePeriodSeconds;
      // A grace period of 0 from a client means "immediately" but is raised to 1 upstream
      // unless the deletion is forced; the node then confirms with 0.
      return grace;
    },
  });
}
