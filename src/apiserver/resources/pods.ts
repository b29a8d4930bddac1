// Pods (upstream pkg/registry/core/pod/strategy.go): a new pod starts Pending with its QoS
// class; deletion of a scheduled, unfinished pod is graceful so its node can stop it first;
// pods/ephemeralcontainers changes spec.ephemeralContainers and nothing else.
import type { DeleteOptions, KubeObject, ObjectMeta, Pod, ServiceAccount } from '../../api/types.js';
import { defaultPod, defaultRequestsFromLimits } from '../../api/defaults/pod.js';
import type { FieldSelectors } from '../../api/fields.js';
import { validatePod, validatePodEphemeralContainersUpdate, validatePodStatusUpdate, validatePodUpdate } from '../../api/validation/pod-validation.js';
import type { SubresourceStrategy } from '../strategy.js';
import { defaultStrategy } from './default-strategy.js';
import { anyMethod, onlyMethod, type HandlerDeps, type ResourceModule, type SubresourceHandler, type UpgradeHandler } from './resource-module.js';
import { mountServiceAccountToken } from '../serviceaccount-admission.js';
import { admitPodPriority } from '../priority-admission.js';
import { admitPodLimitRanges } from '../limitranger-admission.js';
import { handleBinding } from '../pod-binding.js';
import { handleEviction } from '../pod-eviction.js';
import { handlePodStreamUpgrade, servePodStreamRequest } from '../pod-streaming-proxy.js';
import { podProxy, serveProxy } from '../proxy-subresource.js';
import { podPrinter } from '../../api/printers/pod-printer.js';

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

/** Pod field selectors (pkg/apis/core/v1 conversion.go and pod.ToSelectableFields). */
const podFieldSelectors: FieldSelectors = {
  labels: [
    'metadata.name',
    'metadata.namespace',
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  // The legacy name of spec.nodeName.
  renamed: { 'spec.host': 'spec.nodeName' },
  fields(obj) {
    const pod = obj as Pod;
    const spec = pod.spec ?? {};
    const status = pod.status ?? {};
    return {
      'spec.nodeName': spec.nodeName ?? '',
      'spec.restartPolicy': spec.restartPolicy ?? '',
      'spec.schedulerName': spec.schedulerName ?? '',
      'spec.serviceAccountName': spec.serviceAccountName ?? '',
      'spec.hostNetwork': String(spec.hostNetwork === true),
      'status.phase': status.phase ?? '',
      // The registry takes the first of status.podIPs (podIP mirrors it).
      'status.podIP': status.podIPs?.[0]?.ip ?? status.podIP ?? '',
      'status.nominatedNodeName': status.nominatedNodeName ?? '',
    };
  },
};

/**
 * The ServiceAccount admission's mutation of a new pod: without pull secrets of its own,
 * it gets its service account's imagePullSecrets (upstream
 * plugin/pkg/admission/serviceaccount), so `kubectl patch serviceaccount default -p
 * '{"imagePullSecrets":[{"name":"regcred"}]}'` gives every new pod the registry login.
 */
async function admitServiceAccountPullSecrets(pod: Pod, namespace: string, deps: HandlerDeps): Promise<void> {
  if (!pod.spec || pod.spec.imagePullSecrets?.length) return;
  const sa = (await deps.registry('serviceaccounts').tryGet(namespace, pod.spec.serviceAccountName || 'default')) as ServiceAccount | undefined;
  const secrets = (sa?.imagePullSecrets ?? []).filter((s) => s.name);
  if (secrets.length) pod.spec.imagePullSecrets = secrets.map((s) => ({ name: s.name }));
}

export const pods: ResourceModule = {
  printer: podPrinter,
  defaults: (obj) => defaultPod(obj as Pod),
  /** The mutating admission plugins that act on new pods, in upstream's order. */
  async admitCreate(obj, namespace, deps) {
    const pod = obj as Pod;
    // Admission sees the requests defaulted from limits, as upstream's decoder leaves them.
    if (pod.spec) defaultRequestsFromLimits(pod);
    await admitPodLimitRanges(pod, namespace, deps);
    await admitServiceAccountPullSecrets(pod, namespace, deps);
    await admitPodPriority(pod, deps);
  },
  strategy: (info, { mountServiceAccountTokens: mountTokens }) =>
    defaultStrategy(info, {
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
      // A deleted pod comes back as the object, which a graceful deletion keeps for a while.
      returnDeletedObject: true,
      validate: (obj) => validatePod(obj as Pod),
      validateUpdate: (obj, old) => validatePodUpdate(obj as Pod, old as Pod),
      validateStatusUpdate: (obj, old) => validatePodStatusUpdate(obj as Pod, old as Pod),
      fieldSelectors: podFieldSelectors,
    }),
  handlers(deps) {
    // log, exec, attach and portforward go to the pod's node agent.
    const stream: SubresourceHandler = anyMethod(({ ri, req, res }) => servePodStreamRequest(deps.podStreaming(), ri, req, res));
    return {
      binding: onlyMethod('POST', ({ registry, ri, req, res, url }) => handleBinding(registry, ri, req, res, url)),
      eviction: onlyMethod('POST', async ({ registry, ri, req, res, url }) => {
        // An eviction is a create: not in a namespace being terminated.
        await deps.admitCreate(registry.info, ri.namespace, ri.name ?? '');
        await handleEviction({ pods: registry, pdbs: deps.registry('poddisruptionbudgets', 'policy') }, ri, req, res, url);
      }),
      proxy: anyMethod(({ ri, req, res, url }) => serveProxy(podProxy, deps.proxy(), ri, req, res, url)),
      log: stream,
      exec: stream,
      attach: stream,
      portforward: stream,
    };
  },
  upgrades(deps) {
    // exec, attach and portforward streams are proxied to the pod's node agent.
    const stream: UpgradeHandler = ({ req, socket, head, trusted }) => void handlePodStreamUpgrade(deps.podStreaming(), req, socket, head, trusted);
    return { exec: stream, attach: stream, portforward: stream };
  },
};
