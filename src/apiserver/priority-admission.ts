// The Priority admission plugin (upstream plugin/pkg/admission/priority): a new pod's
// priorityClassName resolves to spec.priority and spec.preemptionPolicy (the global default
// class, or priority 0, when it names none); at most one PriorityClass is the global default.
import { ApiError } from '../api/errors.js';
import type { KubeObject, Pod, PreemptionPolicy, PriorityClass } from '../api/types.js';
import type { Registry } from './registry.js';

/** The priority pods get when no class is the global default. */
const defaultPriorityWhenNoDefaultClassExists = 0;

type Registries = { registry(resource: string, group?: string): Registry };

const priorityClasses = (deps: Registries) => deps.registry('priorityclasses', 'scheduling.k8s.io');

/** The global default class; of several (a race), the one with the lowest value, as upstream picks. */
async function defaultPriorityClass(deps: Registries): Promise<PriorityClass | undefined> {
  let found: PriorityClass | undefined;
  for (const pc of (await priorityClasses(deps).list(undefined)).items as PriorityClass[]) {
    if (pc.globalDefault && (!found || found.value > pc.value)) found = pc;
  }
  return found;
}

const admissionName = (obj: KubeObject) => obj.metadata.name || obj.metadata.generateName || '';

function forbiddenPod(pod: Pod, reason: string): ApiError {
  return ApiError.forbidden({ group: '', resource: 'pods' }, admissionName(pod), reason);
}

/** Resolves a new pod's priority from its class; a priority or policy it sets itself must agree. */
export async function admitPodPriority(pod: Pod, deps: Registries): Promise<void> {
  if (!pod.spec) return;
  let priority = defaultPriorityWhenNoDefaultClassExists;
  let policy: PreemptionPolicy | undefined = 'PreemptLowerPriority';
  if (!pod.spec.priorityClassName) {
    const dpc = await defaultPriorityClass(deps);
    if (dpc) {
      pod.spec.priorityClassName = dpc.metadata.name;
      priority = dpc.value;
      policy = dpc.preemptionPolicy as PreemptionPolicy | undefined;
    }
  } else {
    const pc = (await priorityClasses(deps).tryGet(undefined, pod.spec.priorityClassName)) as PriorityClass | undefined;
    if (!pc) throw forbiddenPod(pod, `no PriorityClass with name ${pod.spec.priorityClassName} was found`);
    priority = pc.value;
    policy = pc.preemptionPolicy as PreemptionPolicy | undefined;
  }
  if (pod.spec.priority !== undefined && pod.spec.priority !== null && pod.spec.priority !== priority) {
    throw forbiddenPod(pod, `the integer value of priority (${pod.spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  pod.spec.priority = priority;
  if (policy === undefined) return;
  if (pod.spec.preemptionPolicy !== undefined && pod.spec.preemptionPolicy !== policy) {
    throw forbiddenPod(pod, `the string value of PreemptionPolicy (${pod.spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
  }
  pod.spec.preemptionPolicy = policy;
}

/** A class may become the global default only while no other one is. */
export async function admitPriorityClassDefault(pc: PriorityClass, operation: 'Create' | 'Update', deps: Registries): Promise<void> {
  if (!pc.globalDefault) return;
  const dpc = await defaultPriorityClass(deps);
  if (!dpc || (operation === 'Update' && dpc.metadata.name === pc.metadata.name)) return;
  throw ApiError.forbidden(
    { group: 'scheduling.k8s.io', resource: 'priorityclasses' },
    admissionName(pc),
    `PriorityClass ${dpc.metadata.name} is already marked as default. Only one default can exist`,
  );
}
