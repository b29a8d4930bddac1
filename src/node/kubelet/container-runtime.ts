// Process supervision of one pod's containers (upstream kuberuntime_manager.go
// computePodActions/SyncPod, kuberuntime_container.go startContainer/killContainer, and the
// image manager): init containers run one at a time, in order, to completion; then every
// regular container runs, and is restarted per restartPolicy with the crash-loop back-off
// (10s doubling to 5m, reset after 10 min quiet); image resolution failures become
// ErrImagePull then ImagePullBackOff; a config error (env) is CreateContainerConfigError.
// Each container instance writes into FIFOs (container-output.ts) that the log writer
// (log-writer.ts, its own thread) turns into the instance's rotating CRI log; stopping is preStop → SIGTERM → (grace)
// → SIGKILL. The records are saved to <podDir>/state.json so a restarted kubelet re-adopts
// processes that still run. A container with stdin or tty gets a stdin FIFO held open by a
// keeper process (container-stdin.ts) and, with tty, runs on a pty (container-tty.ts);
// container-attach.ts joins attach sessions to both. Ephemeral containers (kubectl debug) are
// started once, even before initialization completes, and never restarted; with a target
// container they join its PID namespace.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { allContainers, ephemeralContainer } from '../../api/pod-containers.js';
import type { Container, ContainerState, ContainerStatus, LifecycleHandler, Pod } from '../../api/types.js';
import type { Logger } from '../../util/logger.js';
import { isProcessAlive } from '../cluster-network.js';
import { rfc3339 } from '../node-registration.js';
import { withMounts } from '../pod-status.js';
import { Backoff, goDuration } from '../../util/backoff.js';
import { processStartTime, watchPid, type ContainerLauncher, type ExitInfo, type LaunchedProcess } from './container-launcher.js';
import { closeStdin, createStdinRelay, keeperAlive, removeStdinRelay, stdinFifoPath, type StdinRelay, type StdinRelayState } from './container-stdin.js';
import { ttySignalTarget } from './container-tty.js';
import { ContainerConfigError } from './container-env.js';
import { containerLogPath, removeLogFileSet, type RotationPolicy } from './cri-log.js';
import { createOutputFifos, removeOutputFifos, type OutputFifosState } from './container-output.js';
import { sharedLogWriter, type ContainerLogWriter, type LogWriterSession } from './log-writer.js';
import { httpGet, resolvePort, type SandboxExec } from './handlers.js';
import { PodProber } from './prober.js';

export const containerIDScheme = 'kanzen://';
/** How soon a container whose config could not be built is tried again (the pod worker's error resync). */
export const configErrorRetryMs = 10_000;
/** How soon a pod whose image pull failed is synced again (upstream backOffOnTransientErrorPeriod). */
export const pullErrorRetryMs = 1000;
/** upstream minimumGracePeriodInSeconds: SIGTERM always gets at least this long. */
export const minimumGracePeriodSeconds = 2;

/** What the image catalog resolved for a container (image-resolver.ts adapts image-catalog.ts). */
export interface ResolvedImage {
  /** The reference as containerd reports it (docker.io/library/nginx:1.26-alpine). */
  image: string;
  /** status imageID (docker.io/library/nginx@sha256:…). */
  imageID: string;
  /** Image size for the "Successfully pulled" event. */
  sizeBytes?: number;
  /** The image's STOPSIGNAL, sent instead of SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /**
   * The process for the container given its resolved environment (command/args applied);
   * throws CreateContainerError (or ContainerConfigError). The pod gives pod-level settings
   * (securityContext) and names (an OCI image: kubelet/oci-process.ts ociProcess).
   */
  process(container: Container, env: Record<string, string>, pod: Pod): { argv: string[]; env: Record<string, string>; workingDir?: string };
  /** Passed through to the launcher (image paths, seeds). */
  launch?: unknown;
  /** Set when resolving pulled the image from a registry (the "Successfully pulled" event). */
  pulled?: { tookMs: number; sizeBytes: number };
  /** Events the resolution has to tell the pod (a stand-in runs instead of the image, and why). */
  notices?: { type: 'Normal' | 'Warning'; reason: string; message: string }[];
}

/** The image could not be resolved: reason ErrImagePull (or InvalidImageName); the message is the pull error text. */
export class ImagePullError extends Error {
  constructor(
    message: string,
    readonly reason: 'ErrImagePull' | 'InvalidImageName' | 'ErrImageNeverPull' = 'ErrImagePull',
  ) {
    super(message);
  }
}

/** The container's process could not be built (upstream CreateContainerError). */
export class CreateContainerError extends Error {}

/** What a resolver may need of the pod, and how it says a pull is starting (the Pulling event). */
export interface ImageResolveContext {
  pod: Pod;
  pulling(): void;
}

export interface ImageResolver {
  /** Throws ImagePullError when the image does not exist (upstream imageManager.EnsureImageExists). */
  resolve(container: Container, ctx: ImageResolveContext): ResolvedImage | Promise<ResolvedImage>;
}

/** A container instance as the runtime remembers it (persisted). */
export interface ContainerRecord {
  name: string;
  init: boolean;
  /** An ephemeral container: started once, no probes, never ready. */
  ephemeral?: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
  image?: string;
  imageID?: string;
  containerID?: string;
  pid?: number;
  pidStartTime?: string;
  /** The previous image pull error (for the ImagePullBackOff message). */
  pullError?: string;
  stopSignal?: NodeJS.Signals;
  /** The instance's stdin FIFO and its keeper (containers with stdin or tty). */
  stdinRelay?: StdinRelayState;
  /** The instance's stdout/stderr FIFOs and their keeper, while it runs. */
  output?: OutputFifosState;
  /** An attach has taken the instance's output (a stdin+stdinOnce container holds it for the first one). */
  attached?: boolean;
}

interface PodState {
  uid: string;
  containers: ContainerRecord[];
}

export interface PodRuntimeOptions {
  podDir: string;
  /** The pod's log directory (outlives the sandbox; default <podDir>/logs). */
  logDir?: string;
  /** Who turns the output FIFOs into logs (default: the process's shared writer thread). */
  logWriter?: ContainerLogWriter;
  /** Log rotation (default: the kubelet's containerLogMaxSize/containerLogMaxFiles). */
  logPolicy?: RotationPolicy;
  launcher: ContainerLauncher;
  images: ImageResolver;
  exec: SandboxExec;
  /** The container's environment (throws ContainerConfigError). */
  environment(pod: Pod, container: Container): Promise<Record<string, string>>;
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Something the pod status shows changed (a container exited, a probe flipped). */
  onChange(): void;
  podIP(): string | undefined;
  /** Shared by the node's pods (keys carry the pod UID). */
  backoff: Backoff;
  imageBackoff: Backoff;
  logger: Logger;
  now?: () => Date;
  /** Milliseconds per probe second (tests). */
  probeSecondMs?: number;
}

export interface SyncResult {
  /** Sync again after this long (a back-off or retry ends). */
  nextSyncMs?: number;
}

/** format.Pod: name_namespace(uid). */
export function formatPod(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

/** upstream crash-loop message of the waiting state. */
export function crashLoopMessage(backoffMs: number, container: string, pod: Pod): string {
  return `back-off ${goDuration(backoffMs)} restarting failed container=${container} pod=${formatPod(pod)}`;
}

/** Terminated reason (containerd: OOMKilled after an OOM kill in the container's cgroup, else 0 Completed, else Error). */
export function terminatedReason(exitCode: number, oomKilled = false): string {
  if (oomKilled) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

/** The exit code a shell would report: 128 + signal for a signalled process. */
export function exitCodeOf(exit: ExitInfo): number {
  if (exit.exitCode !== null) return exit.exitCode;
  if (exit.signal) return 128 + (signalNumbers[exit.signal] ?? 0);
  return 137;
}

/** Whether a terminated container is started again under the pod's restartPolicy. */
export function shouldRestart(policy: Pod['spec']['restartPolicy'], exitCode: number): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}

/** Default imagePullPolicy: Always for :latest or no tag, else IfNotPresent (SetDefaults_Container). */
export function pullPolicyOf(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  const last = image.slice(image.lastIndexOf('/') + 1);
  if (image.includes('@')) return 'IfNotPresent';
  return !last.includes(':') || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PodRuntime {
  pod: Pod;
  readonly prober: PodProber;
  private readonly records = new Map<string, ContainerRecord>();
  private readonly procs = new Map<string, LaunchedProcess>();
  private readonly logs = new Map<string, LogWriterSession>();
  /** Per running container: resolves once its instance is over (exited, log complete, record terminated). */
  private readonly ends = new Map<string, Promise<void>>();
  private readonly now: () => Date;
  private stopping = false;
  private readonly log: Logger;

  constructor(pod: Pod, private readonly opts: PodRuntimeOptions) {
    this.pod = pod;
    this.now = opts.now ?? (() => new Date());
    this.log = opts.logger;
    this.prober = new PodProber({
      podUID: this.uid,
      podIP: opts.podIP,
      exec: opts.exec,
      event: (type, reason, message) => opts.event(this.pod, type, reason, message),
      onChange: opts.onChange,
      onFailure: (name, type) => void this.probeFailed(name, type),
      secondMs: opts.probeSecondMs,
    });
  }

  get uid(): string {
    return this.pod.metadata.uid ?? '';
  }

  get stateFile(): string {
    return path.join(this.opts.podDir, 'state.json');
  }

  get logDir(): string {
    return this.opts.logDir ?? path.join(this.opts.podDir, 'logs');
  }

  /** The log file of a container instance (kubectl logs). */
  logPath(container: string, restartCount: number): string {
    return containerLogPath(this.logDir, container, restartCount);
  }

  record(name: string): ContainerRecord | undefined {
    return this.records.get(name);
  }

  /** The running container's init PID as seen from the node (exec, attach). */
  containerPid(name: string): number | undefined {
    return this.procs.get(name)?.pid;
  }

  /** Resolves when the running instance of the container exits (logs -f ends then); undefined when not running. */
  containerExited(name: string): Promise<void> | undefined {
    return this.procs.get(name)?.exited.then(() => undefined);
  }

  /** The container's spec in the current pod. */
  containerSpec(name: string): Container | undefined {
    return allContainers(this.pod.spec).find((c) => c.name === name);
  }

  /** Resolves when the running instance's log is complete (its output all written): attach and logs -f end then. */
  logComplete(name: string): Promise<void> | undefined {
    return this.logs.get(name)?.done;
  }

  /**
   * An attach takes the current instance's output; true when it is the first one of a
   * container with stdin and stdinOnce, which gets the output written before it (held for it).
   */
  takeOutput(name: string): boolean {
    const rec = this.records.get(name);
    const c = this.containerSpec(name);
    if (!rec || rec.attached) return false;
    rec.attached = true;
    this.save();
    return c?.stdin === true && c.stdinOnce === true;
  }

  /** The running instance's stdin relay, if it has one. */
  stdinRelay(name: string): StdinRelayState | undefined {
    return this.procs.has(name) ? this.records.get(name)?.stdinRelay : undefined;
  }

  /** An attach session took stdin of a stdinOnce container: remembered, so a restarted kubelet closes it (the session died with the old one). */
  stdinSessionStarted(name: string): void {
    const relay = this.stdinRelay(name);
    if (!relay || relay.sessionStarted) return;
    relay.sessionStarted = true;
    this.save();
  }

  /** Closes the running instance's stdin for good (upstream: stdinOnce, after the first attach session). */
  closeStdin(name: string): void {
    const relay = this.stdinRelay(name);
    if (!relay || relay.closed) return;
    closeStdin(relay);
    this.save();
  }

  isRunning(name: string): boolean {
    return this.procs.has(name);
  }

  /** Any container process still alive. */
  get hasRunningContainers(): boolean {
    return this.procs.size > 0;
  }

  // ---- status ----

  /** The statuses the runtime knows (containers it has not tried yet are left to the status generator). */
  statuses(): { init: ContainerStatus[]; containers: ContainerStatus[]; ephemeral: ContainerStatus[] } {
    const toStatus = (c: Container, rec: ContainerRecord): ContainerStatus => {
      const running = !!rec.state.running;
      const started = running && this.prober.isStarted(c.name);
      const ready = rec.init ? rec.state.terminated?.exitCode === 0 : running && this.prober.isReady(c.name);
      const s: ContainerStatus = {
        name: c.name,
        state: rec.state,
        lastState: rec.lastState,
        ready,
        restartCount: rec.restartCount,
        image: rec.image ?? c.image ?? '',
        imageID: rec.imageID ?? '',
        started,
      };
      if (rec.containerID) s.containerID = rec.containerID;
      // Only regular and init containers have a startup state (the prober's).
      if (rec.ephemeral) delete s.started;
      return withMounts(s, c);
    };
    const pick = (list: Container[]) => list.flatMap((c) => {
      const rec = this.records.get(c.name);
      return rec ? [toStatus(c, rec)] : [];
    });
    return { init: pick(this.pod.spec.initContainers ?? []), containers: pick(this.pod.spec.containers), ephemeral: pick(this.pod.spec.ephemeralContainers ?? []) };
  }

  // ---- sync ----

  /** Starts what should run now (upstream computePodActions + SyncPod). */
  async sync(pod: Pod): Promise<SyncResult> {
    this.pod = pod;
    if (this.stopping) return {};
    const policy = pod.spec.restartPolicy ?? 'Always';
    let next: number | undefined;
    const later = (ms: number | undefined) => {
      if (ms !== undefined) next = Math.min(next ?? Infinity, ms);
    };
    // Before init containers (upstream SyncPod step 5): a pod stuck initializing can be debugged too.
    for (const c of pod.spec.ephemeralContainers ?? []) {
      const rec = this.records.get(c.name) ?? this.ranBefore(c);
      // Never restarted: only one the runtime never ran (a pull or config error leaves it waiting) is started.
      if (this.procs.has(c.name) || rec?.state.running || rec?.state.terminated) continue;
      later(await this.startContainer(c, false, undefined));
    }
    for (const c of pod.spec.initContainers ?? []) {
      const rec = this.records.get(c.name);
      if (this.procs.has(c.name)) return { nextSyncMs: next };
      if (rec?.state.terminated?.exitCode === 0) continue;
      const lastExit = rec?.state.terminated ?? rec?.lastState.terminated;
      // A failed init container of a Never pod fails the pod: nothing else runs.
      if (lastExit && lastExit.exitCode !== 0 && policy === 'Never') return {};
      later(await this.startOrBackOff(c, true));
      return { nextSyncMs: next };
    }
    for (const c of pod.spec.containers) {
      if (this.procs.has(c.name)) continue;
      const rec = this.records.get(c.name);
      const term = rec?.state.terminated;
      if (term && !shouldRestart(policy, term.exitCode)) continue;
      later(await this.startOrBackOff(c, false));
    }
    return { nextSyncMs: next };
  }

  /**
   * An ephemeral container the pod's status says ran, in an instance this runtime has no
   * record of (its sandbox was recreated): it ended then, and is not started again
   * (upstream: the runtime still lists the exited container).
   */
  private ranBefore(c: Container): ContainerRecord | undefined {
    const s = this.pod.status?.ephemeralContainerStatuses?.find((x) => x.name === c.name);
    if (!s?.containerID || !(s.state?.running || s.state?.terminated)) return undefined;
    const terminated = s.state.terminated ?? {
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      message: 'The container could not be located when the pod was terminated',
      startedAt: s.state.running?.startedAt,
      finishedAt: rfc3339(this.now()),
      containerID: s.containerID,
    };
    const rec: ContainerRecord = { name: c.name, init: false, ephemeral: true, restartCount: 0, state: { terminated }, lastState: {}, image: s.image, imageID: s.imageID, containerID: s.containerID };
    this.records.set(c.name, rec);
    this.save();
    return rec;
  }

  private backoffKey(c: Container): string {
    return `${this.uid}/${c.name}`;
  }

  /** Starts c unless its crash-loop back-off is running; returns when to look again. */
  private async startOrBackOff(c: Container, init: boolean): Promise<number | undefined> {
    const rec = this.records.get(c.name);
    const lastExit = rec?.state.terminated ?? (rec?.state.waiting?.reason === 'CrashLoopBackOff' ? rec.lastState.terminated : undefined);
    const nowMs = this.now().getTime();
    if (lastExit) {
      const key = this.backoffKey(c);
      const finishedMs = Date.parse(lastExit.finishedAt ?? '') || nowMs;
      if (this.opts.backoff.isInBackOffSince(key, finishedMs, nowMs)) {
        const backoffMs = this.opts.backoff.get(key);
        this.setState(c, init, { waiting: { reason: 'CrashLoopBackOff', message: crashLoopMessage(backoffMs, c.name, this.pod) } }, lastExit);
        this.opts.event(this.pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${formatPod(this.pod)}`);
        return Math.max(finishedMs + backoffMs - nowMs, 1);
      }
      this.opts.backoff.next(key, nowMs);
    }
    return this.startContainer(c, init, lastExit);
  }

  private setState(c: Container, init: boolean, state: ContainerState, lastExit?: ContainerState['terminated']): ContainerRecord {
    const rec = this.records.get(c.name) ?? { name: c.name, init, ...this.ephemeralMark(c), restartCount: 0, state, lastState: {} };
    rec.state = state;
    if (lastExit) rec.lastState = { terminated: lastExit };
    this.records.set(c.name, rec);
    this.save();
    return rec;
  }

  private ephemeralMark(c: Container): { ephemeral?: true } {
    return ephemeralContainer(this.pod.spec, c.name) ? { ephemeral: true } : {};
  }

  /**
   * The PID namespace the container joins, as a host PID in it (upstream: NamespaceMode
   * NODE for hostPID, TARGET for an ephemeral container's target); undefined for the
   * container's own. The node's is the kubelet's own PID namespace. Throws
   * ContainerConfigError when the target is not running (upstream getTargetID).
   */
  private sharedPidNamespace(c: Container): number | undefined {
    if (this.pod.spec.hostPID) return process.pid;
    const target = ephemeralContainer(this.pod.spec, c.name)?.targetContainerName;
    if (!target) return undefined;
    const pid = this.procs.get(target)?.pid;
    if (pid === undefined) throw new ContainerConfigError(`unable to find target container ${target}`);
    return pid;
  }

  /** Pull (resolve), build the config, create and start (upstream startContainer); returns a retry delay on failure. */
  private async startContainer(c: Container, init: boolean, lastExit: ContainerState['terminated'] | undefined): Promise<number | undefined> {
    const imageRef = c.image ?? '';
    const pullKey = `${this.uid}_${imageRef}`;
    const nowMs = this.now().getTime();
    const prev = this.records.get(c.name);
    if (this.opts.imageBackoff.isInBackOffSinceUpdate(pullKey, nowMs)) {
      const detail = prev?.pullError ? `: ErrImagePull: ${prev.pullError}` : '';
      this.setState(c, init, { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image ${JSON.stringify(imageRef)}${detail}` } });
      this.opts.event(this.pod, 'Normal', 'BackOff', `Back-off pulling image ${JSON.stringify(imageRef)}`);
      this.opts.event(this.pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      return Math.max(this.opts.imageBackoff.remainingSinceUpdate(pullKey, nowMs), 1);
    }
    let resolved: ResolvedImage;
    try {
      resolved = await this.opts.images.resolve(c, {
        pod: this.pod,
        pulling: () => this.opts.event(this.pod, 'Normal', 'Pulling', `Pulling image ${JSON.stringify(imageRef)}`),
      });
    } catch (e) {
      if (!(e instanceof ImagePullError)) throw e;
      const msg = e.message;
      if (e.reason === 'InvalidImageName' || e.reason === 'ErrImageNeverPull') {
        // Not retried by back-off upstream either: the spec (or the node's images) must change.
        this.setState(c, init, { waiting: { reason: e.reason, message: msg } });
        this.opts.event(this.pod, 'Warning', e.reason === 'InvalidImageName' ? 'InspectFailed' : 'ErrImageNeverPull', msg);
        this.opts.event(this.pod, 'Warning', 'Failed', `Error: ${e.reason}`);
        return configErrorRetryMs;
      }
      this.opts.event(this.pod, 'Warning', 'Failed', `Failed to pull image ${JSON.stringify(imageRef)}: ${msg}`);
      this.opts.event(this.pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      this.opts.imageBackoff.next(pullKey, nowMs);
      const rec = this.setState(c, init, { waiting: { reason: 'ErrImagePull', message: msg } });
      rec.pullError = msg;
      this.save();
      // Looked at again soon (upstream: the pod worker's retry after a failed sync), which finds the back-off.
      return Math.min(pullErrorRetryMs, this.opts.imageBackoff.get(pullKey) / 2);
    }
    this.opts.imageBackoff.reset(pullKey);
    if (resolved.pulled) {
      const took = goDuration(resolved.pulled.tookMs);
      this.opts.event(this.pod, 'Normal', 'Pulled', `Successfully pulled image ${JSON.stringify(imageRef)} in ${took} (${took} including waiting). Image size: ${resolved.pulled.sizeBytes} bytes.`);
    } else {
      this.opts.event(this.pod, 'Normal', 'Pulled', `Container image ${JSON.stringify(imageRef)} already present on machine`);
    }
    for (const n of resolved.notices ?? []) this.opts.event(this.pod, n.type, n.reason, n.message);

    let proc0: { argv: string[]; env: Record<string, string>; workingDir?: string };
    let sharePidWith: number | undefined;
    try {
      sharePidWith = this.sharedPidNamespace(c);
      proc0 = resolved.process(c, await this.opts.environment(this.pod, c), this.pod);
      // containerd's oci.WithTTY: a terminal gets TERM=xterm.
      if (c.tty && proc0.env.TERM === undefined) proc0 = { ...proc0, env: { ...proc0.env, TERM: 'xterm' } };
    } catch (e) {
      const reason = e instanceof ContainerConfigError ? 'CreateContainerConfigError' : e instanceof CreateContainerError ? 'CreateContainerError' : undefined;
      if (!reason) throw e;
      this.setState(c, init, { waiting: { reason, message: (e as Error).message } });
      this.opts.event(this.pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`);
      return configErrorRetryMs;
    }

    const restartCount = prev && lastExit ? prev.restartCount + 1 : prev?.restartCount ?? 0;
    const containerID = containerIDScheme + createHash('sha256').update(`${this.uid}/${c.name}/${restartCount}/${randomBytes(8).toString('hex')}`).digest('hex');
    // A fresh instance starts with a fresh log (a re-run after a kubelet restart must not append to an old one).
    removeLogFileSet(this.logPath(c.name, restartCount));
    this.opts.event(this.pod, 'Normal', 'Created', `Created container: ${c.name}`);
    const startedAt = rfc3339(this.now());
    let proc: LaunchedProcess;
    let relay: StdinRelay | undefined;
    let output: OutputFifosState | undefined;
    try {
      const launcher = this.opts.launcher;
      const wrap = (argv: string[]) => launcher.helperArgv?.(this.uid, argv) ?? argv;
      output = createOutputFifos(this.opts.podDir, c.name, restartCount, wrap);
      // A tty container gets the relay too: its terminal must not see EOF (upstream: the pty stays open) even without stdin.
      if (c.stdin || c.tty) relay = createStdinRelay(stdinFifoPath(this.opts.podDir, c.name, restartCount), wrap);
      proc = await this.opts.launcher.start({
        podUID: this.uid,
        podName: this.pod.metadata.name ?? '',
        namespace: this.pod.metadata.namespace ?? '',
        container: c.name,
        argv: proc0.argv,
        env: proc0.env,
        workingDir: proc0.workingDir,
        stdoutPath: output.fifos.stdout,
        stderrPath: output.fifos.stderr,
        stdin: relay?.readFd,
        tty: c.tty === true,
        image: resolved.launch,
        ...(sharePidWith !== undefined ? { sharePidWith } : {}),
      });
    } catch (e) {
      if (relay) removeStdinRelay(relay.state);
      if (output) removeOutputFifos(output);
      const msg = (e as Error).message;
      const finishedAt = rfc3339(this.now());
      const rec = this.setState(c, init, { terminated: { exitCode: 128, reason: 'StartError', message: msg, startedAt: '1970-01-01T00:00:00Z', finishedAt, containerID } }, undefined);
      Object.assign(rec, { restartCount, containerID, image: resolved.image, imageID: resolved.imageID, pid: undefined });
      this.save();
      this.opts.event(this.pod, 'Warning', 'Failed', `Error: ${msg}`);
      this.opts.onChange();
      return undefined;
    } finally {
      if (relay) fs.closeSync(relay.readFd);
    }
    const rec = this.records.get(c.name) ?? { name: c.name, init, ...this.ephemeralMark(c), restartCount, state: {}, lastState: {} };
    Object.assign(rec, {
      restartCount,
      containerID,
      image: resolved.image,
      imageID: resolved.imageID,
      pid: proc.pid,
      pidStartTime: processStartTime(proc.pid),
      state: { running: { startedAt } },
      lastState: lastExit ? { terminated: lastExit } : rec.lastState,
      pullError: undefined,
      stopSignal: resolved.stopSignal,
      stdinRelay: relay?.state,
      output,
      attached: false,
    });
    this.records.set(c.name, rec);
    this.attach(c, rec, proc, Date.parse(startedAt));
    this.save();
    this.opts.event(this.pod, 'Normal', 'Started', `Started container ${c.name}`);
    if (c.lifecycle?.postStart) void this.runPostStart(c, containerID);
    return undefined;
  }

  private attach(c: Container, rec: ContainerRecord, proc: LaunchedProcess, startedAtMs: number): void {
    this.procs.set(c.name, proc);
    const log = this.openLog(c.name, rec);
    if (log) this.logs.set(c.name, log);
    if (!rec.init && !rec.ephemeral) this.prober.containerStarted(c, startedAtMs, proc.pid);
    const containerID = rec.containerID;
    const ended = proc.exited.then(async (exit) => {
      // The instance is reported ended once its log is complete: logs read then have all of it.
      log?.finish();
      await log?.done;
      this.exited(c.name, containerID, exit);
    });
    this.ends.set(c.name, ended);
  }

  /** Starts writing the instance's log from its FIFOs (appending: a re-adopted instance continues its file). */
  private openLog(name: string, rec: ContainerRecord): LogWriterSession | undefined {
    if (!rec.output) return undefined;
    return (this.opts.logWriter ?? sharedLogWriter()).open(this.logPath(name, rec.restartCount), rec.output.fifos, this.opts.logPolicy);
  }

  private exited(name: string, containerID: string | undefined, exit: ExitInfo): void {
    const rec = this.records.get(name);
    if (!rec || rec.containerID !== containerID) return;
    this.procs.delete(name);
    this.logs.delete(name);
    this.ends.delete(name);
    if (rec.output) {
      removeOutputFifos(rec.output);
      rec.output = undefined;
    }
    this.prober.containerStopped(name);
    const startedAt = rec.state.running?.startedAt;
    const finishedAt = rfc3339(this.now());
    if (exit.unknown) {
      // Adopted after a kubelet restart: how it ended cannot be known (upstream ContainerStatusUnknown).
      rec.state = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', startedAt, finishedAt, containerID } };
    } else {
      const exitCode = exitCodeOf(exit);
      rec.state = { terminated: { exitCode, reason: terminatedReason(exitCode, exit.oomKilled), startedAt, finishedAt, containerID } };
    }
    rec.pid = undefined;
    rec.pidStartTime = undefined;
    if (rec.stdinRelay) {
      removeStdinRelay(rec.stdinRelay);
      rec.stdinRelay = undefined;
    }
    this.save();
    this.log.debug('container exited', { pod: formatPod(this.pod), container: name, exit: rec.state.terminated?.exitCode });
    this.opts.onChange();
  }

  // ---- probes, hooks, stopping ----

  private async probeFailed(name: string, type: 'liveness' | 'startup'): Promise<void> {
    const c = this.pod.spec.containers.find((x) => x.name === name);
    if (!c || !this.procs.has(name) || this.stopping) return;
    const restart = (this.pod.spec.restartPolicy ?? 'Always') !== 'Never';
    const message = `Container ${name} failed ${type} probe${restart ? ', will be restarted' : ''}`;
    const probe = type === 'liveness' ? c.livenessProbe : c.startupProbe;
    const grace = probe?.terminationGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.killContainer(c, grace, message);
  }

  private async runPostStart(c: Container, containerID: string): Promise<void> {
    const err = await this.runHandler(c, c.lifecycle!.postStart!, 30_000);
    if (!err || this.records.get(c.name)?.containerID !== containerID) return;
    this.opts.event(this.pod, 'Warning', 'FailedPostStartHook', err);
    await this.killContainer(c, this.pod.spec.terminationGracePeriodSeconds ?? 30, 'FailedPostStartHook');
  }

  /** Runs a lifecycle handler (upstream lifecycle/handlers.go); returns an error text or undefined. */
  private async runHandler(c: Container, h: LifecycleHandler, timeoutMs: number): Promise<string | undefined> {
    try {
      if (h.exec) {
        const r = await this.opts.exec({ podUID: this.uid, container: c.name, pid: this.procs.get(c.name)?.pid }, h.exec.command ?? [], timeoutMs);
        return r.exitCode === 0 ? undefined : `Exec lifecycle hook (${JSON.stringify(h.exec.command ?? []).slice(1, -1).replaceAll('"', '')}) for Container "${c.name}" in Pod "${formatPod(this.pod)}" failed - error: command '${(h.exec.command ?? []).join(' ')}' exited with ${r.exitCode}: ${r.output}, message: "${r.output}"`;
      }
      if (h.httpGet) {
        const port = resolvePort(h.httpGet.port, c);
        if (port === undefined) return `unable to find port: ${h.httpGet.port}`;
        const r = await httpGet(h.httpGet, this.opts.podIP() ?? '127.0.0.1', port, timeoutMs);
        return r.result === 'Success' ? undefined : `HTTP lifecycle hook (${h.httpGet.path ?? ''}) for Container "${c.name}" in Pod "${formatPod(this.pod)}" failed - error: ${r.output}`;
      }
      if (h.sleep) {
        await sleep(Math.min(h.sleep.seconds * 1000, timeoutMs));
        return undefined;
      }
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  private signal(name: string, sig: NodeJS.Signals): void {
    const proc = this.procs.get(name);
    if (!proc) return;
    try {
      if (proc.kill) proc.kill(sig);
      else process.kill(this.containerSpec(name)?.tty ? ttySignalTarget(proc.pid, sig) : proc.pid, sig);
    } catch {
      // already gone
    }
  }

  /** upstream killContainer: Killing event, preStop within the grace period, SIGTERM, SIGKILL when the grace period ends. */
  async killContainer(c: Container, gracePeriodSeconds: number, message?: string): Promise<void> {
    const proc = this.procs.get(c.name);
    if (!proc) return;
    this.opts.event(this.pod, 'Normal', 'Killing', message ?? `Stopping container ${c.name}`);
    const deadline = Date.now() + gracePeriodSeconds * 1000;
    // Stopped means its status says terminated (the kubelet writes the pod's status next).
    const ended = this.ends.get(c.name) ?? proc.exited.then(() => undefined);
    let done = false;
    void proc.exited.then(() => {
      done = true;
    });
    if (c.lifecycle?.preStop) {
      const err = await Promise.race([this.runHandler(c, c.lifecycle.preStop, gracePeriodSeconds * 1000), proc.exited.then(() => undefined)]);
      if (err) this.opts.event(this.pod, 'Warning', 'FailedPreStopHook', err);
    }
    if (done) return ended;
    this.signal(c.name, this.records.get(c.name)?.stopSignal ?? 'SIGTERM');
    const remaining = Math.max(deadline - Date.now(), minimumGracePeriodSeconds * 1000);
    const killed = await Promise.race([proc.exited.then(() => true), sleep(remaining).then(() => false)]);
    if (!killed) this.signal(c.name, 'SIGKILL');
    await ended;
  }

  /** Stops every container (pod deletion or completion) within gracePeriodSeconds; nothing restarts after. */
  async stopAll(gracePeriodSeconds: number): Promise<void> {
    this.stopping = true;
    const all = allContainers(this.pod.spec);
    await Promise.all(all.filter((c) => this.procs.has(c.name)).map((c) => this.killContainer(c, gracePeriodSeconds)));
    this.prober.stop();
  }

  /** The kubelet is exiting: leave the processes running, keep their records. */
  detach(): void {
    this.prober.stop();
    for (const l of this.logs.values()) l.detach();
    this.logs.clear();
    this.save();
  }

  // ---- persistence ----

  save(): void {
    const state: PodState = { uid: this.uid, containers: [...this.records.values()] };
    try {
      fs.mkdirSync(this.opts.podDir, { recursive: true });
      const tmp = `${this.stateFile}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(state));
      fs.renameSync(tmp, this.stateFile);
    } catch (e) {
      this.log.warn('pod state not saved', { pod: formatPod(this.pod), err: e });
    }
  }

  /**
   * Re-adopts what an earlier kubelet left in state.json: containers whose process still runs
   * (same PID and start time) are watched again; the others are reported as ended with an
   * unknown status and restarted per restartPolicy. Returns how many were re-adopted.
   */
  restore(): number {
    let state: PodState;
    try {
      state = JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as PodState;
    } catch {
      return 0;
    }
    if (state.uid !== this.uid) return 0;
    let adopted = 0;
    const all = allContainers(this.pod.spec);
    for (const rec of state.containers) {
      const c = all.find((x) => x.name === rec.name);
      if (!c) continue;
      this.records.set(rec.name, rec);
      if (!rec.state.running) continue;
      const alive = rec.pid !== undefined && isProcessAlive(rec.pid) && processStartTime(rec.pid) === rec.pidStartTime;
      // The launcher may know more than the PID (runc: the instance's state and its exit code, even after it ended).
      const proc = rec.pid !== undefined ? this.opts.launcher.adopt?.(this.uid, rec.name, rec.pid, alive) : undefined;
      if (alive || proc) {
        const relay = rec.stdinRelay;
        // A stdinOnce session cannot outlive the kubelet that served it: its end closes stdin.
        if (alive && relay && !relay.closed && (!keeperAlive(relay) || (relay.sessionStarted && c.stdinOnce))) {
          closeStdin(relay);
          this.save();
        }
        this.attach(c, rec, proc ?? watchPid(rec.pid!), Date.parse(rec.state.running.startedAt ?? '') || Date.now());
        if (alive) adopted++;
      } else {
        // What it wrote while no kubelet read its FIFOs is still there: into the log, then the end.
        const log = this.openLog(rec.name, rec);
        const output = rec.output;
        rec.output = undefined;
        log?.finish();
        this.exited(rec.name, rec.containerID, { exitCode: null, signal: null, unknown: true });
        if (output) void log?.done.then(() => removeOutputFifos(output));
      }
    }
    return adopted;
  }
}
