// Pod status generation, shared by the fake and the real kubelet: upstream
// pkg/kubelet/kubelet_pods.go (generateAPIPodStatus, getPhase, the default waiting states of
// convertToAPIContainerStatuses) and pkg/kubelet/status/generate.go (the Initialized,
// ContainersReady and Ready conditions). Pure: the caller says what its runtime knows (the
// container statuses it has, whether the sandbox is up, the pod IP) and gets the PodStatus to
// post. lastTransitionTime is kept from the old status while a condition's status does not
// change, as the status manager does.
//
// Not modelled: restartable init containers (sidecars; Container has no restartPolicy here),
// static pods, resize conditions.
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodSpec, PodStatus } from '../api/types.js';
import { rfc3339 } from './node-registration.js';

type Phase = NonNullable<PodStatus['phase']>;

// Upstream's condition reasons (status/generate.go).
export const UnknownContainerStatuses = 'UnknownContainerStatuses';
export const PodCompleted = 'PodCompleted';
export const PodFailed = 'PodFailed';
export const ContainersNotReady = 'ContainersNotReady';
export const ContainersNotInitialized = 'ContainersNotInitialized';
export const ReadinessGatesNotReady = 'ReadinessGatesNotReady';
// Default waiting reasons of containers the runtime has no status for (kubelet_pods.go).
export const ContainerCreating = 'ContainerCreating';
export const PodInitializing = 'PodInitializing';

type ContainerStatusWithMounts = ContainerStatus & {
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; recursiveReadOnly?: string }[];
};

/** Adds the mounts as the kubelet reports them since 1.30 (RecursiveReadOnlyMounts: read-only mounts say Disabled). */
export function withMounts(s: ContainerStatus, c: Container): ContainerStatus {
  if (!c.volumeMounts?.length) return s;
  const out: ContainerStatusWithMounts = { ...s };
  out.volumeMounts = c.volumeMounts.map((m) => ({
    name: m.name,
    mountPath: m.mountPath,
    ...(m.readOnly ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}),
  }));
  return out;
}

/** The status of a container the runtime knows nothing about yet (image as written in the spec, no imageID). */
export function defaultContainerStatus(c: Container, waitingReason: string): ContainerStatus {
  return withMounts({ name: c.name, state: { waiting: { reason: waitingReason } }, lastState: {}, ready: false, restartCount: 0, image: c.image ?? '', imageID: '', started: false }, c);
}

/** Every container of the list with a status: the runtime's, else the default waiting one. */
export function fillContainerStatuses(containers: Container[], known: ContainerStatus[] | undefined, waitingReason: string): ContainerStatus[] {
  return containers.map((c) => known?.find((s) => s.name === c.name) ?? defaultContainerStatus(c, waitingReason));
}

function statusOf(statuses: ContainerStatus[], name: string): ContainerStatus | undefined {
  return statuses.find((s) => s.name === name);
}

const terminated = (s: ContainerState | undefined) => s?.terminated;

/** Whether any regular container has run (kubecontainer.HasAnyRegularContainerStarted). */
export function hasAnyRegularContainerStarted(spec: PodSpec, statuses: ContainerStatus[]): boolean {
  return spec.containers.some((c) => {
    const s = statusOf(statuses, c.name);
    return !!(s?.state?.running || s?.state?.terminated);
  });
}

/** upstream getPhase (without sidecars). */
export function getPhase(spec: PodSpec, initStatuses: ContainerStatus[], statuses: ContainerStatus[], podIsTerminal: boolean): Phase {
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of spec.initContainers ?? []) {
    const s = statusOf(initStatuses, c.name);
    if (!s) pendingInitialization++;
    else if (s.state?.running) pendingInitialization++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting) {
      const last = terminated(s.lastState);
      if (last) {
        if (last.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.containers) {
    const s = statusOf(statuses, c.name);
    if (!s) unknown++;
    else if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (terminated(s.lastState)) stopped++;
      else waiting++;
    } else unknown++;
  }

  const restartPolicy = spec.restartPolicy ?? 'Always';
  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  if ((pendingInitialization > 0 && !hasAnyRegularContainerStarted(spec, statuses)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    // A terminal pod's containers are not restarted, whatever the restart policy.
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type ConditionCore = Pick<PodCondition, 'type' | 'status' | 'reason' | 'message'>;

/** Go's fmt %s of a []string: [a b c]. */
const goList = (names: string[]) => `[${names.join(' ')}]`;

/** upstream GenerateContainersReadyCondition. */
export function containersReadyCondition(pod: Pod, statuses: ContainerStatus[] | undefined, phase: Phase): ConditionCore {
  if (!statuses) return { type: 'ContainersReady', status: 'False', reason: UnknownContainerStatuses };
  const unknown: string[] = [];
  const unready: string[] = [];
  for (const c of pod.spec.containers) {
    const s = statusOf(statuses, c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'ContainersReady', status: 'False', reason: PodCompleted };
  if (phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: PodFailed };
  const messages: string[] = [];
  if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) messages.push(`containers with unready status: ${goList(unready)}`);
  if (messages.length) return { type: 'ContainersReady', status: 'False', reason: ContainersNotReady, message: messages.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

/** upstream GeneratePodReadyCondition: ContainersReady, then the readiness gates (read from the pod's current conditions). */
export function podReadyCondition(pod: Pod, containersReady: ConditionCore): ConditionCore {
  if (containersReady.status !== 'True') return { type: 'Ready', status: 'False', reason: containersReady.reason, message: containersReady.message };
  const messages: string[] = [];
  for (const gate of pod.spec.readinessGates ?? []) {
    const c = pod.status?.conditions?.find((x) => x.type === gate.conditionType);
    if (!c) messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') messages.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (messages.length) return { type: 'Ready', status: 'False', reason: ReadinessGatesNotReady, message: messages.join(', ') };
  return { type: 'Ready', status: 'True' };
}

/** upstream GeneratePodInitializedCondition (a regular init container is initialized when ready, i.e. completed). */
export function podInitializedCondition(pod: Pod, initStatuses: ContainerStatus[], statuses: ContainerStatus[], phase: Phase): ConditionCore {
  const inits = pod.spec.initContainers ?? [];
  if (inits.length === 0) return { type: 'Initialized', status: 'True' };
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = statusOf(initStatuses, c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: PodCompleted };
  if (hasAnyRegularContainerStarted(pod.spec, statuses)) return { type: 'Initialized', status: 'True' };
  const messages: string[] = [];
  if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) messages.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (messages.length) return { type: 'Initialized', status: 'False', reason: ContainersNotInitialized, message: messages.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

/** Stamps a condition with lastProbeTime null and a lastTransitionTime kept while its status is unchanged. */
export function stampCondition(core: ConditionCore, nowText: string, old: PodCondition | undefined): PodCondition {
  const c: PodCondition = {
    type: core.type,
    status: core.status,
    lastProbeTime: null,
    lastTransitionTime: old?.status === core.status && old.lastTransitionTime ? old.lastTransitionTime : nowText,
  };
  if (core.reason) c.reason = core.reason;
  if (core.message) c.message = core.message;
  return c;
}

/** The kubelet's conditions first, in the order kubectl describe shows them, then PodScheduled, then everyone else's. */
export function mergePodConditions(pod: Pod, own: PodCondition[], nowText: string): PodCondition[] {
  const old = pod.status?.conditions ?? [];
  const scheduled = old.find((c) => c.type === 'PodScheduled') ?? stampCondition({ type: 'PodScheduled', status: 'True' }, nowText, undefined);
  const owned = new Set([...own.map((c) => c.type), 'PodScheduled']);
  return [...own, scheduled, ...old.filter((c) => !owned.has(c.type))];
}

export interface PodStatusInput {
  now: Date;
  hostIP: string;
  /** Undefined until the sandbox has its address. */
  podIP?: string;
  /** The sandbox exists and its network is configured (PodReadyToStartContainers). */
  sandboxReady: boolean;
  /** What the runtime knows; containers missing here get the default waiting state. */
  initContainerStatuses?: ContainerStatus[];
  containerStatuses: ContainerStatus[];
  ephemeralContainerStatuses?: ContainerStatus[];
  /** The kubelet has finished with the pod (deleted and stopped, or run to completion). */
  podIsTerminal?: boolean;
}

/** upstream generateAPIPodStatus: phase, conditions, IPs, startTime and every container's status. */
export function generatePodStatus(pod: Pod, input: PodStatusInput): PodStatus {
  const nowText = rfc3339(input.now);
  const old = pod.status ?? {};
  const oldCond = (type: string) => old.conditions?.find((c) => c.type === type);
  const inits = pod.spec.initContainers ?? [];
  const initStatuses = fillContainerStatuses(inits, input.initContainerStatuses, PodInitializing);
  const statuses = fillContainerStatuses(pod.spec.containers, input.containerStatuses, inits.length ? PodInitializing : ContainerCreating);
  let phase = getPhase(pod.spec, initStatuses, statuses, input.podIsTerminal ?? false);
  // A terminal phase is never left (the status manager's three-way merge).
  if (phase !== 'Failed' && phase !== 'Succeeded' && (old.phase === 'Failed' || old.phase === 'Succeeded')) phase = old.phase;

  const containersReady = containersReadyCondition(pod, statuses, phase);
  const own = [
    stampCondition({ type: 'PodReadyToStartContainers', status: input.sandboxReady ? 'True' : 'False' }, nowText, oldCond('PodReadyToStartContainers')),
    stampCondition(podInitializedCondition(pod, initStatuses, statuses, phase), nowText, oldCond('Initialized')),
    stampCondition(podReadyCondition(pod, containersReady), nowText, oldCond('Ready')),
    stampCondition(containersReady, nowText, oldCond('ContainersReady')),
  ];
  const status: PodStatus = {
    ...old,
    phase,
    conditions: mergePodConditions(pod, own, nowText),
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: old.startTime ?? nowText,
    containerStatuses: statuses,
  };
  if (input.podIP) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  if (inits.length) status.initContainerStatuses = initStatuses;
  else delete status.initContainerStatuses;
  // Ephemeral containers take no part in phase or conditions; those not started yet wait as
  // ContainerCreating, and none has a startup state.
  const ephemeral = pod.spec.ephemeralContainers ?? [];
  if (ephemeral.length) {
    status.ephemeralContainerStatuses = fillContainerStatuses(ephemeral, input.ephemeralContainerStatuses, ContainerCreating).map(({ started: _s, ...rest }) => rest);
  } else delete status.ephemeralContainerStatuses;
  return status;
}
