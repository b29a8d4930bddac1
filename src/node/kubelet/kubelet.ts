// The kubelet of the `netns` runtime: one per node agent process. Same shape as the fake
// kubelet (register → heartbeat → one pods informer of this node → queue → syncPod(key)),
// but real: every bound pod gets a sandbox (own netns and IP, resolv.conf/hosts, volume
// folders), its volumes' files, its containers as supervised processes (container-runtime.ts)
// with probes, and its status is generated from what actually runs (pod-status.ts) and
// posted only when it changed. Deletion stops the containers gracefully, removes the
// sandbox, releases the IP and confirms with a delete of grace 0 and a UID precondition.
//
// Restart safety: containers' PIDs are kept in <podDir>/state.json and the sandbox
// descriptor in <podDir>/sandbox.json; a restarted kubelet re-adopts the pods whose sandbox
// and processes are still there (same IP, same containers) and recreates the others.
//
// Volumes follow their sources while the pod runs (upstream's periodic remount of
// configMap/secret/downwardAPI/projected volumes, here event-driven): the ConfigMaps and
// Secrets the pods' volumes name are watched (volume-source-watch.ts), and a change — or a
// change of a pod's labels/annotations when it has downwardAPI files — rewrites the affected
// volumes through the atomic `..data` switch, only when their content differs. A subPath
// mount keeps the file it was started with, as upstream.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import type { ConfigMap, KubeObject, PersistentVolume, PersistentVolumeClaim, Pod, PodStatus, Secret, Service } from '../../api/types.js';
import { isConflict, isNotFound } from '../../api/errors.js';
import { resourceFor } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { objectKey, type Informer } from '../../client/informer.js';
import type { ReconcileResult } from '../../client/work-queue.js';
import type { EndpointDrainer } from '../endpoint-drain.js';
import { isTerminal, KubeletBase, type KubeletBaseOptions } from '../kubelet-base.js';
import { rfc3339 } from '../node-registration.js';
import { writeVolumeFiles, podClaimLink, podVolumeDir } from '../pod-sandbox.js';
import { generatePodStatus } from '../pod-status.js';
import { Backoff } from '../../util/backoff.js';
import type { ContainerLauncher } from './container-launcher.js';
import { makeEnvironmentVariables, type EnvSources } from './container-env.js';
import { PodRuntime, formatPod, type ImageResolver } from './container-runtime.js';
import { containerLogPath, podLogDirectory } from './cri-log.js';
import { ExecTimeoutError, type SandboxExec } from './handlers.js';
import { serviceEnvVars } from './service-env.js';
import { sourceWatchKey, VolumeSourceWatch, type VolumeSourceKind } from './volume-source-watch.js';
import { hasDownwardAPIVolume, setUpHostVolume, volumeContentMatches, volumePayload, VolumeSetupError, volumeSourceRefs, type ClaimSources } from './volumes.js';

export const kanzenRuntimeVersion = 'kanzen://0.1.0';

const podsInfo = resourceFor('pods');
const servicesInfo = resourceFor('services');
const configMapsInfo = resourceFor('configmaps');
const secretsInfo = resourceFor('secrets');
const claimsInfo = resourceFor('persistentvolumeclaims');
const volumesInfo = resourceFor('persistentvolumes');
/** How soon a pod whose sandbox or volumes failed is tried again (upstream pod worker back-off on error). */
const errorRetryMs = 10_000;
/** How soon a terminal status that met a stale cache is written again (the newer pod is about to arrive). */
const staleStatusRetryMs = 100;
/**
 * Volumes are also rebuilt on this period (upstream: the pod sync period, 1 min), a safety
 * net behind the watches; an unchanged payload is not rewritten.
 */
const volumeResyncMs = 60_000;
/** The default bound of the wait for proxies to stop routing to a terminating pod (endpoint-drain.ts). */
export const defaultEndpointDrainTimeoutMs = 5000;

/** A pod's network sandbox and directory, however it is made. */
export interface SandboxInfo {
  podDir: string;
  podIP: string;
  /** Messages to record as Warning events (DNSConfigForming …). */
  warnings?: string[];
}

export interface SandboxProvider {
  /** The pod's directory (exists or not). */
  podDir(podUID: string): string;
  create(pod: Pod, podIP: string): Promise<SandboxInfo>;
  /** The sandbox a previous kubelet left for this pod, if still usable. */
  recover(pod: Pod): Promise<SandboxInfo | undefined>;
  /** Removes the sandboxes of this node a previous kubelet left for pods that no longer exist. */
  removeOrphans?(keep: ReadonlySet<string>): Promise<string[]>;
  remove(pod: Pod): Promise<void>;
}

export interface KubeletOptions extends KubeletBaseOptions {
  recorder: EventRecorder;
  sandboxes: SandboxProvider;
  launcher: ContainerLauncher;
  images: ImageResolver;
  exec: SandboxExec;
  /** Back-off tuning (tests): initial and max of the crash-loop and image pull back-offs. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Milliseconds per probe second (tests). */
  probeSecondMs?: number;
  /** The token of a projected serviceAccountToken file, bound to the pod. */
  serviceAccountToken?: (pod: Pod, src: { audience?: string; expirationSeconds?: number }) => Promise<string>;
  /**
   * Zero-loss termination (kanzen, beyond upstream): before preStop and the stop signal, wait
   * until no node's proxy routes new connections to the pod. Without it, upstream behaviour.
   */
  drainer?: EndpointDrainer;
  /** Bound of that wait (default 5 s); it never outlasts the pod's grace period either. */
  drainTimeoutMs?: number;
  /**
   * Where this node's container logs live, one directory per pod (upstream /var/log/pods);
   * default `pod-logs/<node>` beside the pods' sandbox directories. They outlive the sandbox: a finished
   * pod's logs stay readable until the pod is deleted.
   */
  podLogsRoot?: string;
}

/** A change a pod's downwardAPI files show (labels and annotations are the live fields). */
function downwardMetadataChanged(old: Pod, pod: Pod): boolean {
  if (!hasDownwardAPIVolume(pod)) return false;
  return !isDeepStrictEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {}) || !isDeepStrictEqual(old.metadata.annotations ?? {}, pod.metadata.annotations ?? {});
}

export class Kubelet extends KubeletBase {
  private readonly backoff: Backoff;
  private readonly imageBackoff: Backoff;
  private services?: Informer<Service>;
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly sandboxes = new Map<string, SandboxInfo>();
  private readonly terminating = new Map<string, Promise<void>>();
  private readonly terminated = new Set<string>();
  private readonly volumeSynced = new Map<string, number>();
  /** Pods whose volume sources changed since their volumes were last built (set by watch handlers, taken by syncVolumes). */
  private readonly volumesStale = new Set<string>();
  /** Pods whose volumes were all set up once: a later refresh failure keeps their files and does not hold the pod. */
  private readonly volumesMounted = new Set<string>();
  private readonly volumeSources: VolumeSourceWatch;

  constructor(private readonly opts: KubeletOptions) {
    super(opts, kanzenRuntimeVersion);
    this.backoff = new Backoff(opts.backoffInitialMs, opts.backoffMaxMs);
    this.imageBackoff = new Backoff(opts.backoffInitialMs, opts.backoffMaxMs);
    this.volumeSources = new VolumeSourceWatch({ client: opts.client, logger: this.log, onChange: (kind, ns, name) => this.volumeSourceChanged(kind, ns, name) });
  }

  protected override otherInformers(): Informer<Service>[] {
    this.services = this.informers.for<Service>(servicesInfo);
    return [this.services];
  }

  protected override podUpdated(old: Pod, pod: Pod): void {
    if (downwardMetadataChanged(old, pod)) this.volumesStale.add(pod.metadata.uid ?? '');
  }

  protected override startedFields(): Record<string, unknown> {
    return { runtime: kanzenRuntimeVersion };
  }

  /** Stops syncing; containers keep running (a restarted kubelet re-adopts them). */
  override async stop(): Promise<void> {
    this.volumeSources.stop();
    await super.stop();
    for (const rt of this.runtimes.values()) rt.detach();
  }

  /** Stops every container and removes every sandbox of this node (node shutdown / `kanzen down`). */
  async shutdown(gracePeriodSeconds = 0): Promise<void> {
    await this.stop();
    await Promise.all(
      [...this.runtimes.values()].map(async (rt) => {
        await rt.stopAll(gracePeriodSeconds);
        await this.opts.sandboxes.remove(rt.pod).catch((e) => this.log.warn('sandbox not removed', { pod: formatPod(rt.pod), err: e }));
      }),
    );
  }

  get podLogsRoot(): string {
    // Per node: a kubelet removes the log directories of pods it does not know.
    return this.opts.podLogsRoot ?? path.join(path.dirname(path.dirname(this.opts.sandboxes.podDir('0'))), 'pod-logs', this.nodeName);
  }

  /** The pod's log directory (upstream /var/log/pods/<ns>_<name>_<uid>). */
  podLogDir(pod: Pod): string {
    return podLogDirectory(this.podLogsRoot, pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', pod.metadata.uid ?? '');
  }

  /** The CRI log of a container instance of a pod this kubelet knows (kubectl logs; restartCount-1 for --previous). */
  logPath(podUID: string, container: string, restartCount: number): string {
    const pod = this.runtimes.get(podUID)?.pod ?? this.pods?.list().find((p) => p.metadata.uid === podUID);
    return containerLogPath(pod ? this.podLogDir(pod) : path.join(this.podLogsRoot, `_${podUID}`), container, restartCount);
  }

  /** Removes the logs of a pod that is gone (deleted, or replaced by a pod of the same name). */
  private removePodLogs(key: string, uid: string): void {
    const [namespace, name] = key.includes('/') ? key.split('/') : ['', key];
    fs.rmSync(podLogDirectory(this.podLogsRoot, namespace, name, uid), { recursive: true, force: true });
  }

  /** Logs of pods deleted while no kubelet ran go at start (upstream: the container GC removes orphaned pod log dirs). */
  private removeOrphanedLogs(pods: Pod[]): void {
    const known = new Set(pods.map((p) => p.metadata.uid));
    let dirs: string[];
    try {
      dirs = fs.readdirSync(this.podLogsRoot);
    } catch {
      return;
    }
    for (const d of dirs) {
      if (!known.has(d.slice(d.lastIndexOf('_') + 1))) fs.rmSync(path.join(this.podLogsRoot, d), { recursive: true, force: true });
    }
  }

  /** The ConfigMap/Secret watches volumes need now (`Kind/namespace`). */
  get volumeSourceWatches(): string[] {
    return this.volumeSources.watching;
  }

  /** The runtime of a pod (exec/attach need its containers' PIDs). */
  runtimeOf(podUID: string): PodRuntime | undefined {
    return this.runtimes.get(podUID);
  }

  /** Re-adopts IPs, sandboxes and container processes a previous kubelet left. */
  protected async adopt(pods: Pod[]): Promise<void> {
    this.removeOrphanedLogs(pods);
    for (const pod of pods) {
      this.adoptIP(pod);
      if (isTerminal(pod)) continue;
      const uid = pod.metadata.uid ?? '';
      const ip = pod.status?.podIP;
      const sandbox = await this.opts.sandboxes.recover(pod).catch(() => undefined);
      if (!sandbox || (ip && sandbox.podIP !== ip && !pod.spec.hostNetwork)) continue;
      this.sandboxes.set(uid, sandbox);
      const rt = this.newRuntime(pod, sandbox);
      const adopted = rt.restore();
      this.runtimes.set(uid, rt);
      // Its volumes were set up by the previous kubelet: a failed refresh keeps them.
      this.volumesMounted.add(uid);
      this.log.info('pod re-adopted', { pod: objectKey(pod), containers: adopted });
    }
    const keep = new Set(pods.filter((p) => !isTerminal(p)).map((p) => p.metadata.uid ?? ''));
    const orphans = await this.opts.sandboxes.removeOrphans?.(keep).catch((e) => {
      this.log.warn('orphaned sandboxes not removed', { err: e });
      return [];
    });
    if (orphans?.length) this.log.info('removed the sandboxes of pods that no longer exist', { uids: orphans });
  }

  private newRuntime(pod: Pod, sandbox: SandboxInfo): PodRuntime {
    const uid = pod.metadata.uid ?? '';
    const key = objectKey(pod);
    return new PodRuntime(pod, {
      podDir: sandbox.podDir,
      logDir: this.podLogDir(pod),
      launcher: this.opts.launcher,
      images: this.opts.images,
      exec: this.opts.exec,
      environment: (p, c) => this.environment(p, c),
      event: (p, type, reason, message) => this.opts.recorder.event(p, type, reason, message),
      onChange: () => this.queue.add(key),
      podIP: () => this.sandboxes.get(uid)?.podIP,
      backoff: this.backoff,
      imageBackoff: this.imageBackoff,
      logger: this.log,
      now: this.now,
      probeSecondMs: this.opts.probeSecondMs,
    });
  }

  /** An object read from the API, undefined when it does not exist. */
  private async getIfExists<T extends KubeObject>(info: typeof configMapsInfo, ns: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.client.get<T>(info, ns, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private get envSources(): EnvSources {
    return {
      configMap: (ns, name) => this.getIfExists<ConfigMap>(configMapsInfo, ns, name),
      secret: (ns, name) => this.getIfExists<Secret>(secretsInfo, ns, name),
    };
  }

  /** Claims and volumes, read from the API when a pod's claim volume is set up. */
  private get claimSources(): ClaimSources {
    return {
      claim: (ns, name) => this.getIfExists<PersistentVolumeClaim>(claimsInfo, ns, name),
      volume: (name) => this.getIfExists<PersistentVolume>(volumesInfo, undefined, name),
    };
  }

  private async environment(pod: Pod, c: Pod['spec']['containers'][number]): Promise<Record<string, string>> {
    const uid = pod.metadata.uid ?? '';
    const serviceEnv = serviceEnvVars(this.services?.list() ?? [], pod.metadata.namespace ?? 'default', pod.spec.enableServiceLinks ?? true);
    const env = await makeEnvironmentVariables({
      pod,
      container: c,
      hostIP: this.opts.nodeIP,
      podIP: this.sandboxes.get(uid)?.podIP,
      serviceEnv,
      nodeAllocatable: this.node?.status?.allocatable,
      sources: this.envSources,
    });
    return Object.fromEntries(env);
  }

  private forget(key: string): void {
    const uid = this.uids.get(key);
    if (uid === undefined) return;
    // The pod is gone from the API: its logs go with it (upstream: on pod deletion).
    this.removePodLogs(key, uid);
    if (!this.runtimes.has(uid) && !this.terminating.has(uid)) {
      this.ipAllocator.release(uid);
      this.terminated.delete(uid);
      this.volumeSynced.delete(uid);
      this.volumesStale.delete(uid);
      this.volumesMounted.delete(uid);
      this.backoff.resetPrefix(`${uid}/`);
    }
    this.uids.delete(key);
    this.retainVolumeSourceWatches();
  }

  // ---- sync ----

  protected async syncPod(key: string): Promise<ReconcileResult> {
    const pod = this.pods?.get(key);
    const knownUID = this.uids.get(key);
    if (!pod || pod.spec.nodeName !== this.nodeName || (knownUID !== undefined && knownUID !== pod.metadata.uid)) {
      // Gone (force-deleted) or replaced: whatever ran for the old UID stops now.
      if (knownUID !== undefined) await this.teardown(knownUID, 0);
      this.forget(key);
      if (!pod || pod.spec.nodeName !== this.nodeName) return;
    }
    const uid = pod.metadata.uid ?? '';
    this.uids.set(key, uid);
    if (pod.metadata.deletionTimestamp) return this.syncTerminatingPod(key, pod);
    if (isTerminal(pod) || this.terminated.has(uid)) {
      await this.teardown(uid, 0);
      return;
    }
    if (!(await this.nodeAdmits(pod))) return;

    let sandbox = this.sandboxes.get(uid);
    if (!sandbox) {
      const podIP = pod.spec.hostNetwork ? this.opts.nodeIP : this.ipAllocator.allocate(uid);
      if (!podIP) {
        this.log.warn('no pod IP available', { pod: key, range: this.ipAllocator.cidr });
        return { requeueAfterMs: errorRetryMs };
      }
      try {
        sandbox = await this.opts.sandboxes.create(pod, podIP);
      } catch (e) {
        this.opts.recorder.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
        await this.writeStatus(pod, this.status(pod, undefined));
        return { requeueAfterMs: errorRetryMs };
      }
      this.sandboxes.set(uid, sandbox);
      for (const w of sandbox.warnings ?? []) this.opts.recorder.event(pod, 'Warning', 'DNSConfigForming', w);
    }

    const volumesOK = await this.syncVolumes(pod, sandbox);
    if (!volumesOK) {
      await this.writeStatus(pod, this.status(pod, sandbox));
      return { requeueAfterMs: errorRetryMs };
    }
    let rt = this.runtimes.get(uid);
    if (!rt) {
      rt = this.newRuntime(pod, sandbox);
      this.runtimes.set(uid, rt);
    }
    const r = await rt.sync(pod);
    const status = this.status(pod, sandbox, rt);
    const written = await this.writeStatus(pod, status);
    // A pod that ran to completion (Never/OnFailure) gives back its sandbox; its status stays.
    if ((status.phase === 'Succeeded' || status.phase === 'Failed') && !rt.hasRunningContainers) {
      // Only once the terminal status is stored: after the teardown nothing would write it
      // again (a conflict here means the cache is behind: try again with the newer pod).
      if (!written) return { requeueAfterMs: staleStatusRetryMs };
      this.terminated.add(uid);
      await this.teardown(uid, 0);
      return;
    }
    const nowMs = this.now().getTime();
    const volumesDue = (this.volumeSynced.get(uid) ?? nowMs) + volumeResyncMs - nowMs;
    const next = Math.min(r.nextSyncMs ?? Infinity, Math.max(volumesDue, 1));
    return { requeueAfterMs: next };
  }

  private status(pod: Pod, sandbox: SandboxInfo | undefined, rt?: PodRuntime): PodStatus {
    const s = rt?.statuses();
    return generatePodStatus(pod, {
      now: this.now(),
      hostIP: this.opts.nodeIP,
      podIP: sandbox?.podIP,
      sandboxReady: !!sandbox,
      initContainerStatuses: s?.init,
      containerStatuses: s?.containers ?? [],
      ephemeralContainerStatuses: s?.ephemeral,
    });
  }

  /**
   * Writes configMap/secret/downwardAPI/projected files whose content changed; false (with a
   * FailedMount event) when a volume of a pod not yet running cannot be built. A pod whose
   * volumes were set up before keeps its files on a failed refresh (upstream: the mount
   * stays, the remount error is an event) and is retried sooner.
   */
  private async syncVolumes(pod: Pod, sandbox: SandboxInfo): Promise<boolean> {
    const uid = pod.metadata.uid ?? '';
    const last = this.volumeSynced.get(uid);
    const nowMs = this.now().getTime();
    // Taken before reading the sources: a change arriving meanwhile marks the pod again.
    const stale = this.volumesStale.delete(uid);
    if (!stale && last !== undefined && nowMs - last < volumeResyncMs) return true;
    this.watchVolumeSources(pod);
    const mounted = this.volumesMounted.has(uid);
    let failed = false;
    for (const v of pod.spec.volumes ?? []) {
      try {
        // Claims and hostPaths once, before the containers start (their targets do not change).
        if (!mounted) await setUpHostVolume(v, pod, podClaimLink(sandbox.podDir, v), this.claimSources);
        const payload = await volumePayload(v, {
          pod,
          hostIP: this.opts.nodeIP,
          podIP: sandbox.podIP,
          allocatable: this.node?.status?.allocatable,
          sources: this.volumeSources.sources,
          serviceAccountToken: this.opts.serviceAccountToken && ((src) => this.opts.serviceAccountToken!(pod, src)),
        });
        const dir = podVolumeDir(sandbox.podDir, v);
        if (dir) fs.mkdirSync(dir, { recursive: true });
        if (!payload || !dir || volumeContentMatches(dir, payload.files)) continue;
        writeVolumeFiles(dir, payload.files, payload.mode, this.now());
        if (mounted) this.log.info('volume updated', { pod: objectKey(pod), volume: v.name });
      } catch (e) {
        if (!(e instanceof VolumeSetupError)) {
          // Retried by the queue: the change that made the pod stale must not be lost.
          if (stale) this.volumesStale.add(uid);
          throw e;
        }
        this.opts.recorder.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume ${JSON.stringify(v.name)} : ${e.message}`);
        if (!mounted) return false;
        failed = true;
      }
    }
    // A failed refresh is looked at again after errorRetryMs instead of the full period.
    this.volumeSynced.set(uid, failed ? nowMs - volumeResyncMs + errorRetryMs : nowMs);
    this.volumesMounted.add(uid);
    return true;
  }

  /** Starts the watches of the ConfigMaps/Secrets the pod's volumes name. */
  private watchVolumeSources(pod: Pod): void {
    const ns = pod.metadata.namespace ?? 'default';
    const refs = volumeSourceRefs(pod);
    if (refs.configMaps.size > 0) this.volumeSources.watch('ConfigMap', ns);
    if (refs.secrets.size > 0) this.volumeSources.watch('Secret', ns);
  }

  /** Drops the watches of namespaces where no pod of this node references that kind any more. */
  private retainVolumeSourceWatches(): void {
    const needed = new Set<string>();
    for (const pod of this.pods?.list() ?? []) {
      if (isTerminal(pod) || pod.metadata.deletionTimestamp) continue;
      const ns = pod.metadata.namespace ?? 'default';
      const refs = volumeSourceRefs(pod);
      if (refs.configMaps.size > 0) needed.add(sourceWatchKey('ConfigMap', ns));
      if (refs.secrets.size > 0) needed.add(sourceWatchKey('Secret', ns));
    }
    this.volumeSources.retain(needed);
  }

  /** A watched ConfigMap/Secret changed: the pods whose volumes project it rebuild them now. */
  private volumeSourceChanged(kind: VolumeSourceKind, namespace: string, name: string): void {
    for (const pod of this.pods?.list(namespace) ?? []) {
      const refs = volumeSourceRefs(pod);
      if (!(kind === 'ConfigMap' ? refs.configMaps : refs.secrets).has(name)) continue;
      this.volumesStale.add(pod.metadata.uid ?? '');
      this.queue.add(objectKey(pod));
    }
  }

  /** Stops the pod's containers, removes its sandbox and releases its IP (idempotent). */
  private async teardown(uid: string, gracePeriodSeconds: number): Promise<void> {
    const rt = this.runtimes.get(uid);
    if (rt) {
      await rt.stopAll(gracePeriodSeconds);
      this.runtimes.delete(uid);
    }
    if (this.sandboxes.has(uid) || rt) {
      const pod = rt?.pod ?? ({ metadata: { uid }, spec: { containers: [] } } as Pod);
      await this.opts.sandboxes.remove(pod).catch((e) => this.log.warn('sandbox not removed', { uid, err: e }));
      this.sandboxes.delete(uid);
    }
    this.ipAllocator.release(uid);
    this.volumeSynced.delete(uid);
    this.volumesStale.delete(uid);
    this.volumesMounted.delete(uid);
    this.retainVolumeSourceWatches();
  }

  private syncTerminatingPod(key: string, pod: Pod): ReconcileResult {
    const uid = pod.metadata.uid ?? '';
    if (this.terminating.has(uid)) return;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    // In the background: a grace period must not hold a queue worker (upstream: one worker per pod).
    const done = (async () => {
      const rt = this.runtimes.get(uid);
      if (rt) rt.pod = pod;
      const waitedSeconds = rt ? await this.drainEndpoints(pod, grace) : 0;
      // The wait is part of the grace period, as a preStop hook would be.
      if (rt) await rt.stopAll(Math.max(0, grace - waitedSeconds));
      const latest = this.pods?.get(key);
      const current = latest?.metadata.uid === uid ? latest : pod;
      if (rt && current.status?.phase !== 'Succeeded' && current.status?.phase !== 'Failed') {
        const s = rt.statuses();
        const status = generatePodStatus(current, {
          now: this.now(),
          hostIP: this.opts.nodeIP,
          podIP: this.sandboxes.get(uid)?.podIP,
          sandboxReady: false,
          initContainerStatuses: s.init,
          containerStatuses: s.containers,
          ephemeralContainerStatuses: s.ephemeral,
          podIsTerminal: true,
        });
        await this.writeStatus(current, status).catch((e) => {
          if (!isNotFound(e) && !isConflict(e)) throw e;
        });
      }
      await this.teardown(uid, 0);
      try {
        await this.client.delete(podsInfo, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    })()
      .catch((e) => this.log.warn('pod termination failed', { pod: key, err: e }))
      .finally(() => {
        this.terminating.delete(uid);
        this.queue.add(key);
      });
    this.terminating.set(uid, done);
  }

  /** Waits (bounded) until no proxy sends the pod new connections; returns the seconds waited. */
  private async drainEndpoints(pod: Pod, graceSeconds: number): Promise<number> {
    const drainer = this.opts.drainer;
    if (!drainer || graceSeconds <= 0 || !pod.status?.podIP) return 0;
    const bound = Math.min(this.opts.drainTimeoutMs ?? defaultEndpointDrainTimeoutMs, graceSeconds * 1000);
    try {
      const r = await drainer.waitUntilUnrouted(pod, bound);
      if (r.outcome !== 'not-an-endpoint') this.log.info('endpoint drained before stop', { pod: objectKey(pod), outcome: r.outcome, waitedMs: r.waitedMs });
      return r.waitedMs / 1000;
    } catch (e) {
      this.log.warn('endpoint drain failed; stopping anyway', { pod: objectKey(pod), err: e });
      return 0;
    }
  }

  /** Stores the status; false when the cached pod was stale (conflict) and nothing was written. */
  private async writeStatus(pod: Pod, status: PodStatus): Promise<boolean> {
    if (isDeepStrictEqual(status, pod.status)) return true;
    try {
      await this.client.updateStatus<Pod>(podsInfo, { ...pod, status });
      return true;
    } catch (e) {
      // A newer pod is on its way to the cache (its update enqueues the pod again).
      if (isConflict(e)) return false;
      throw e;
    }
  }
}

// ---- test/host helpers ----

/** Runs exec probes and hooks as host processes (no sandbox): tests. */
export const hostExec: SandboxExec = (_target, argv, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(argv[0], argv.slice(1), { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
      if (e?.killed) return reject(new ExecTimeoutError('timed out'));
      if (e && typeof e.code !== 'number') return reject(e);
      resolve({ exitCode: e ? Number(e.code) : 0, output: String(stdout) + String(stderr) });
    });
  });

/** Sandboxes that are only a directory and a fixed IP (tests with the host launcher). */
export class DirectorySandboxProvider implements SandboxProvider {
  constructor(
    private readonly home: string,
    private readonly ip?: string,
  ) {}

  podDir(podUID: string): string {
    return path.join(this.home, 'pods', podUID);
  }

  async create(pod: Pod, podIP: string): Promise<SandboxInfo> {
    const podDir = this.podDir(pod.metadata.uid ?? '');
    fs.mkdirSync(podDir, { recursive: true });
    const info = { podDir, podIP: this.ip ?? podIP };
    fs.writeFileSync(path.join(podDir, 'sandbox.json'), JSON.stringify(info));
    return info;
  }

  async recover(pod: Pod): Promise<SandboxInfo | undefined> {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.podDir(pod.metadata.uid ?? ''), 'sandbox.json'), 'utf8')) as SandboxInfo;
    } catch {
      return undefined;
    }
  }

  async remove(pod: Pod): Promise<void> {
    fs.rmSync(this.podDir(pod.metadata.uid ?? ''), { recursive: true, force: true });
  }
}

export { rfc3339 };
