// What makes a pod a DaemonSet's pod on a given node (upstream pkg/controller/daemon/util):
// the tolerations every daemon pod carries, the labels naming its revision, and the required
// node affinity `metadata.name In [node]` that has the default scheduler bind it there.
import { isDeepStrictEqual } from 'node:util';
import type { Affinity, DaemonSet, NodeSelectorTerm, Pod, PodSpec, PodTemplateSpec, Toleration } from '../../api/types.js';

/** apps.ControllerRevisionHashLabelKey (apps.DefaultDaemonSetUniqueLabelKey). */
export const controllerRevisionHashLabel = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey: the template generation a pod was made from. */
export const podTemplateGenerationLabel = 'pod-template-generation';

/** metav1.ObjectNameField: the node field a daemon pod's affinity selects on. */
const objectNameField = 'metadata.name';

/**
 * v1helper.AddOrUpdateTolerationInPodSpec: a toleration with the same key, operator, value
 * and effect (Toleration.MatchToleration) is replaced in place — it may differ in
 * tolerationSeconds — else the toleration is appended.
 */
function addOrUpdateToleration(spec: PodSpec, toleration: Toleration): void {
  const list = spec.tolerations ?? [];
  const matches = (t: Toleration) =>
    (t.key ?? '') === (toleration.key ?? '') && (t.operator ?? '') === (toleration.operator ?? '') && (t.value ?? '') === (toleration.value ?? '') && (t.effect ?? '') === (toleration.effect ?? '');
  const i = list.findIndex(matches);
  if (i >= 0 && isDeepStrictEqual(list[i], toleration)) return;
  if (i >= 0) list[i] = toleration;
  else list.push(toleration);
  spec.tolerations = list;
}

const exists = (key: string, effect: 'NoExecute' | 'NoSchedule'): Toleration => ({ key, operator: 'Exists', effect });

/**
 * AddOrUpdateDaemonPodTolerations: daemon pods survive node problems — no eviction when the
 * node turns not-ready or unreachable (NoExecute, no tolerationSeconds), and they land on nodes
 * under disk, memory or PID pressure and on cordoned nodes (TaintNodesByCondition); with
 * hostNetwork also on nodes whose network is not yet configured.
 */
export function addOrUpdateDaemonPodTolerations(spec: PodSpec): void {
  addOrUpdateToleration(spec, exists('node.kubernetes.io/not-ready', 'NoExecute'));
  addOrUpdateToleration(spec, exists('node.kubernetes.io/unreachable', 'NoExecute'));
  addOrUpdateToleration(spec, exists('node.kubernetes.io/disk-pressure', 'NoSchedule'));
  addOrUpdateToleration(spec, exists('node.kubernetes.io/memory-pressure', 'NoSchedule'));
  addOrUpdateToleration(spec, exists('node.kubernetes.io/pid-pressure', 'NoSchedule'));
  addOrUpdateToleration(spec, exists('node.kubernetes.io/unschedulable', 'NoSchedule'));
  if (spec.hostNetwork) addOrUpdateToleration(spec, exists('node.kubernetes.io/network-unavailable', 'NoSchedule'));
}

/**
 * NewPod: the pod the DaemonSet would run on the node, as the placement checks see it (read
 * only: the template is copied shallowly, but for the tolerations this adds to).
 */
export function newDaemonPod(ds: DaemonSet, nodeName: string): Pod {
  const template = ds.spec.template;
  const spec: PodSpec = { ...template.spec, nodeName, tolerations: [...(template.spec.tolerations ?? [])] };
  addOrUpdateDaemonPodTolerations(spec);
  return { metadata: { ...(template.metadata ?? {}), namespace: ds.metadata.namespace }, spec };
}

/**
 * CreatePodTemplate: the template with the default tolerations, the template generation
 * (kept for pods made before revision hashes) and the current revision's hash as labels.
 */
export function createPodTemplate(template: PodTemplateSpec, generation: number | undefined, hash: string): PodTemplateSpec {
  const out = structuredClone(template);
  addOrUpdateDaemonPodTolerations(out.spec);
  out.metadata ??= {};
  out.metadata.labels ??= {};
  if (generation !== undefined) out.metadata.labels[podTemplateGenerationLabel] = String(generation);
  if (hash) out.metadata.labels[controllerRevisionHashLabel] = hash;
  return out;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the single term
 * `metadata.name In [node]`, so the default scheduler binds the pod to that node; the rest of
 * the affinity is kept. (The DaemonSet has already checked its own node affinity matches.)
 */
export function replaceNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = { matchFields: [{ key: objectNameField, operator: 'In', values: [nodeName] }] };
  const out: Affinity = affinity ? structuredClone(affinity) : {};
  out.nodeAffinity ??= {};
  out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { ...(out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? {}), nodeSelectorTerms: [term] };
  return out;
}

/**
 * GetTargetNodeName: where a daemon pod is or will be: spec.nodeName once bound, else the
 * node its `metadata.name In [node]` affinity names; undefined when it names none.
 */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const r of term.matchFields ?? []) {
      if (r.key === objectNameField && r.operator === 'In') return r.values?.length === 1 ? r.values[0] : undefined;
    }
  }
  return undefined;
}

/** IsPodUpdated: the pod carries the current revision's hash (or, for old pods, the current template generation). */
export function isPodUpdated(pod: Pod, hash: string, templateGeneration: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const generationMatches = templateGeneration !== undefined && labels[podTemplateGenerationLabel] === String(templateGeneration);
  const hashMatches = hash.length > 0 && labels[controllerRevisionHashLabel] === hash;
  return hashMatches || generationMatches;
}
