// The fake kubelet: one node's agent that runs no processes (like kwok). It registers its
// Node, heartbeats, and for every pod bound to it reports the status a real kubelet would
// report for a pod whose containers started at once (and end only where their command says how, below); when a pod is deleted
// it "stops" it after the grace period and confirms the deletion. It serves control-plane
// tests and scale benchmarks, and its shape (register → heartbeat → one pods informer of
// this node → queue → syncPod(key)) is the one the real node agent follows.
//
// Behaviour tests can rely on:
// * A pod bound to the node (spec.nodeName) goes Running with hostIP, a podIP from the node's
//   pod CIDR (.2 upward, never one in use, recently released ones last; hostNetwork pods get
//   the node IP), startTime, containerStatuses (containerID fake://<sha256>, imageID
//   <repository>@sha256:<digest of the image name>, state.running) and the conditions
//   PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled. Init
//   containers are reported terminated (Completed, exit code 0) at once.
// * Readiness: a container with a readinessProbe (or startupProbe) is ready once its
//   initialDelaySeconds have passed since it started (a probe that always succeeds; upstream
//   also waits for the next periodSeconds tick, which this skips). readinessGates are honoured
//   with upstream's messages.
// * The annotation `kanzen.io/fake-ready: "false"` makes every container of the pod unready
//   (Ready/ContainersReady False, ContainersNotReady), e.g. to watch an endpoint leave a
//   Service; removing it (or any other value) makes the pod ready again. It is read on every
//   change, so `kubectl annotate pod P kanzen.io/fake-ready=false --overwrite` flips it live.
// * Containers keep running, except where the command alone says how it ends (fake-program.ts:
//   `true`, `false`, `echo`, `sleep N`, `sh -c` scripts of those and `exit N`) and the pod's
//   restartPolicy would not start it again (Never; OnFailure after exit code 0): then the
//   container terminates after that time with that exit code (Completed or Error), and once
//   every container has, the pod is Succeeded or Failed, so Jobs complete and fail here too.
//   A container that would be restarted (crash loop) is not modelled and keeps running.
// * Deletion: a pod with a deletionTimestamp is stopped when the grace period ends (at its
//   deletionTimestamp, or earlier after deletionGraceCapMs for tests), reported terminal
//   (containers terminated with exit code 0, phase Succeeded, as the kubelet does since 1.27)
//   and removed with a delete of grace 0 and a UID precondition (upstream status manager);
//   its IP is released.
// * Pods this node cannot run (nodeSelector not matching the node's labels) are left alone
//   (Pending); upstream's admission would fail them (NodeAffinity).
//
// Informers: each FakeKubelet owns an InformerFactory with ONE pods informer narrowed by
// `spec.nodeName=<node>` — the real node agent runs in its own process with its own
// factory, and the fake one keeps the same shape although it runs in the daemon, so its
// cost is that of N node agents, which is what a scale benchmark should measure.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Container, ContainerState, ContainerStatus, Pod, PodStatus } from '../api/types.js';
import { isConflict, isNotFound } from '../api/errors.js';
import { resourceFor } from '../client/api-client.js';
import { objectKey } from '../client/informer.js';
import type { ReconcileResult } from '../client/work-queue.js';
import { isTerminal, KubeletBase, type KubeletBaseOptions } from './kubelet-base.js';
import { rfc3339 } from './node-registration.js';
import { generatePodStatus, withMounts } from './pod-status.js';
import { fakeProgramExit, type FakeExit } from './fake-program.js';
import { shouldRestart, terminatedReason } from './kubelet/container-runtime.js';

export { nodeSelectorMatches } from './kubelet-base.js';

/** Set to "false" on a pod to have the fake kubelet report its containers unready. */
export const fakeReadyAnnotation = 'kanzen.io/fake-ready';
/** nodeInfo.containerRuntimeVersion of fake nodes; containerIDs use the same scheme. */
export const fakeRuntimeVersion = 'fake://0.1.0';

const podsInfo = resourceFor('pods');
/** How soon to look again when the node's pod range is full (upstream retries sandbox creation on its sync period). */
const ipExhaustedRetryMs = 10_000;

export interface FakeKubeletOptions extends KubeletBaseOptions {
  /** Longest a deleted pod is kept before its deletion is confirmed (default: its whole grace period). */
  deletionGraceCapMs?: number;
}

// ---- images and IDs ----

/** The image reference as containerd reports it: docker.io/library/nginx:latest for "nginx". */
export function normalizeImage(image: string): string {
  let ref = image;
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasDomain = first.includes('.') || first.includes(':') || first === 'localhost';
  if (!hasDomain) ref = slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  if (!ref.includes('@') && !lastPart.includes(':')) ref += ':latest';
  return ref;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** A stable fake image digest: the repository @ sha256 of the reference. */
export function fakeImageID(image: string): string {
  const ref = normalizeImage(image);
  const at = ref.indexOf('@');
  if (at >= 0) return ref;
  const repo = ref.slice(0, ref.lastIndexOf(':'));
  return `${repo}@sha256:${sha256(ref)}`;
}

/** Stable per pod and container, so a restarted kubelet reports the same IDs. */
export function fakeContainerID(podUID: string, containerName: string): string {
  return `fake://${sha256(`${podUID}/${containerName}`)}`;
}

// ---- pod status (upstream pkg/kubelet/status/generate.go and generateAPIPodStatus) ----

/** Seconds after start at which a container passes its startup and readiness probes (both always succeed here). */
function readinessDelaySeconds(c: Container): number {
  return Math.max(c.startupProbe?.initialDelaySeconds ?? 0, c.readinessProbe?.initialDelaySeconds ?? 0);
}

export interface RunningStatusInput {
  nodeIP: string;
  podIP: string;
  now: Date;
}

/** A container's status as the fake runtime reports it (containerd-like image, image ID and container ID); `started` only for regular and init containers. */
function fakeContainerStatus(uid: string, c: Container, state: ContainerState, ready: boolean, started?: boolean): ContainerStatus {
  const s: ContainerStatus = {
    name: c.name,
    state,
    lastState: {},
    ready,
    restartCount: 0,
    image: normalizeImage(c.image ?? ''),
    imageID: fakeImageID(c.image ?? ''),
    containerID: fakeContainerID(uid, c.name),
  };
  if (started !== undefined) s.started = started;
  return withMounts(s, c);
}

/** The container's end when its command decides it and the pod's restartPolicy would not start it again. */
function endingExit(pod: Pod, c: Container): FakeExit | undefined {
  const exit = fakeProgramExit(c.command, c.args);
  return exit && !shouldRestart(pod.spec.restartPolicy ?? 'Always', exit.exitCode) ? exit : undefined;
}

/**
 * The status of a pod whose containers all started (at its startTime, or when a restarted
 * kubelet first reported them) and are still running. Also returns when it next changes by
 * itself (a readiness delay ending), so the caller can look again then.
 */
export function runningPodStatus(pod: Pod, input: RunningStatusInput): { status: PodStatus; nextChangeMs?: number } {
  const nowText = rfc3339(input.now);
  const old = pod.status ?? {};
  const startTime = old.startTime ?? nowText;
  const uid = pod.metadata.uid ?? '';
  const forcedUnready = pod.metadata.annotations?.[fakeReadyAnnotation] === 'false';
  let nextChangeMs: number | undefined;

  const initContainerStatuses = (pod.spec.initContainers ?? []).map((c) =>
    fakeContainerStatus(uid, c, { terminated: { exitCode: 0, reason: 'Completed', startedAt: startTime, finishedAt: startTime, containerID: fakeContainerID(uid, c.name) } }, true, false),
  );

  const containerStatuses = pod.spec.containers.map((c) => {
    const prev = old.containerStatuses?.find((s) => s.name === c.name);
    if (prev?.state?.terminated) return prev;
    const startedAt = prev?.state?.running?.startedAt ?? nowText;
    const exit = endingExit(pod, c);
    if (exit) {
      const finishedMs = Date.parse(startedAt) + exit.afterMs;
      if (input.now.getTime() >= finishedMs) {
        const terminated = { exitCode: exit.exitCode, reason: terminatedReason(exit.exitCode), startedAt, finishedAt: rfc3339(new Date(finishedMs)), containerID: fakeContainerID(uid, c.name) };
        return fakeContainerStatus(uid, c, { terminated }, false, false);
      }
      nextChangeMs = Math.min(nextChangeMs ?? Infinity, finishedMs - input.now.getTime());
    }
    const readyAtMs = Date.parse(startedAt) + readinessDelaySeconds(c) * 1000;
    const startedAtMs = Date.parse(startedAt) + (c.startupProbe?.initialDelaySeconds ?? 0) * 1000;
    const nowMs = input.now.getTime();
    for (const t of [readyAtMs, startedAtMs]) if (t > nowMs) nextChangeMs = Math.min(nextChangeMs ?? Infinity, t - nowMs);
    const ready = !forcedUnready && nowMs >= readyAtMs;
    return fakeContainerStatus(uid, c, { running: { startedAt } }, ready, nowMs >= startedAtMs);
  });

  // Ephemeral containers (kubectl debug) run from when they are added, never ready, no startup state.
  const ephemeralContainerStatuses = (pod.spec.ephemeralContainers ?? []).map((c) => {
    const startedAt = old.ephemeralContainerStatuses?.find((s) => s.name === c.name)?.state?.running?.startedAt ?? nowText;
    return fakeContainerStatus(uid, c, { running: { startedAt } }, false);
  });

  const generate = (sandboxReady: boolean) =>
    generatePodStatus(pod, {
      now: input.now,
      hostIP: input.nodeIP,
      podIP: input.podIP,
      sandboxReady,
      initContainerStatuses,
      containerStatuses,
      ephemeralContainerStatuses,
    });
  let status = generate(true);
  // A finished pod's sandbox is torn down at once (the kubelet's SyncTerminatedPod).
  if (status.phase === 'Succeeded' || status.phase === 'Failed') status = generate(false);
  status.startTime = startTime;
  return { status, nextChangeMs };
}

/** The status once the kubelet has stopped every container of a deleted pod (exit code 0: it handled SIGTERM). */
export function terminatedPodStatus(pod: Pod, now: Date): PodStatus {
  const nowText = rfc3339(now);
  const old = pod.status ?? {};
  const stopped = (s: ContainerStatus): ContainerStatus => ({
    ...s,
    state: {
      terminated: s.state?.terminated ?? { exitCode: 0, reason: 'Completed', startedAt: s.state?.running?.startedAt ?? old.startTime ?? nowText, finishedAt: nowText, containerID: s.containerID },
    },
    ready: false,
  });
  return generatePodStatus(pod, {
    now,
    hostIP: old.hostIP ?? '',
    sandboxReady: false,
    initContainerStatuses: old.initContainerStatuses,
    containerStatuses: (old.containerStatuses ?? []).map((s) => ({ ...stopped(s), started: false })),
    ephemeralContainerStatuses: old.ephemeralContainerStatuses?.map(stopped),
    podIsTerminal: true,
  });
}

// ---- the kubelet ----

export class FakeKubelet extends KubeletBase {
  /** When this kubelet first saw each pod's deletion (the grace cap counts from there). */
  private readonly deletionSeen = new Map<string, number>();

  constructor(private readonly opts: FakeKubeletOptions) {
    super(opts, fakeRuntimeVersion);
  }

  /** Rebuilds the IP allocator from the IPs this node's pods already report (a restarted kubelet keeps them). */
  protected adopt(pods: Pod[]): void {
    for (const pod of pods) this.adoptIP(pod);
  }

  private forget(key: string): void {
    const uid = this.uids.get(key);
    if (uid === undefined) return;
    this.ipAllocator.release(uid);
    this.deletionSeen.delete(uid);
    this.uids.delete(key);
  }

  /** Brings one pod's reported state to what this node "runs" (upstream syncPod + status manager). */
  protected async syncPod(key: string): Promise<ReconcileResult> {
    const pod = this.pods?.get(key);
    if (!pod || pod.spec.nodeName !== this.nodeName) {
      this.forget(key);
      return;
    }
    const uid = pod.metadata.uid ?? '';
    if (this.uids.get(key) !== uid) this.forget(key);
    this.uids.set(key, uid);
    if (pod.metadata.deletionTimestamp) return this.syncTerminatingPod(key, pod);
    if (isTerminal(pod)) {
      this.ipAllocator.release(uid);
      return;
    }
    if (!(await this.canRun(pod))) return;
    const podIP = pod.spec.hostNetwork ? this.opts.nodeIP : this.ipAllocator.allocate(uid);
    if (!podIP) {
      this.log.warn('no pod IP available', { pod: key, range: this.ipAllocator.cidr });
      return { requeueAfterMs: ipExhaustedRetryMs };
    }
    const { status, nextChangeMs } = runningPodStatus(pod, { nodeIP: this.opts.nodeIP, podIP, now: this.now() });
    await this.writeStatus(pod, status);
    return nextChangeMs === undefined ? undefined : { requeueAfterMs: nextChangeMs };
  }

  private async syncTerminatingPod(key: string, pod: Pod): Promise<ReconcileResult> {
    const uid = pod.metadata.uid ?? '';
    const nowMs = this.now().getTime();
    const seen = this.deletionSeen.get(uid) ?? nowMs;
    this.deletionSeen.set(uid, seen);
    const dueMs = Math.min(Date.parse(pod.metadata.deletionTimestamp!), seen + (this.opts.deletionGraceCapMs ?? Infinity));
    if (nowMs < dueMs) return { requeueAfterMs: dueMs - nowMs };
    if (pod.status?.phase === 'Running') {
      try {
        await this.writeStatus(pod, terminatedPodStatus(pod, this.now()));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    try {
      await this.client.delete(podsInfo, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      // Gone already, or (UID precondition) the name now belongs to a new pod: this one is finished either way.
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
    this.forget(key);
  }

  /** A status PUT at the cached resourceVersion: a conflict means a newer pod is on its way to the cache, and the queue retries. */
  private async writeStatus(pod: Pod, status: PodStatus): Promise<void> {
    if (isDeepStrictEqual(status, pod.status)) return;
    await this.client.updateStatus<Pod>(podsInfo, { ...pod, status });
  }

  private async canRun(pod: Pod): Promise<boolean> {
    if (await this.nodeAdmits(pod)) return true;
    this.log.debug('pod does not match this node, ignored', { pod: objectKey(pod) });
    return false;
  }
}
