// The disruption controller (upstream pkg/controller/disruption/disruption.go): keeps each
// PodDisruptionBudget's status — expected pods, current and desired healthy, disruptions
// allowed, the DisruptionAllowed condition — up to date from the pods it selects and the
// scale of their controllers, and forgets evictions (status.disruptedPods) that never led to
// a deletion; a pod left marked DisruptionTarget by such an eviction is unmarked after a while.
// The eviction subresource spends what this controller computes.
import { isConflict } from '../../api/errors.js';
import { labelSelectorAsRequirements, matchLabels } from '../../api/labels.js';
import { findKind } from '../../api/resources.js';
import type { Deployment, KubeObject, OwnerReference, Pod, PodDisruptionBudget, PodDisruptionBudgetStatus, ReplicaSet } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { objectKey, splitKey, type Informer } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { controllerOf } from '../replicaset/controller-ref-manager.js';
import {
  buildDisruptedPodMap,
  countHealthyPods,
  expectedPodCount,
  failSafeStatus,
  nextBudgetStatus,
  type ControllerAndScale,
} from './disruption-budget.js';
import { clearedDisruptionTarget, staleDisruptionIn } from './stale-disruption.js';

const pdbResource = resourceFor('poddisruptionbudgets', 'policy');
const podsResource = resourceFor('pods');

/** A workload with spec.replicas (apps/v1 defaults it to 1). */
type Scalable = KubeObject & { spec?: { replicas?: number } };

function groupOf(ref: OwnerReference): string {
  const i = ref.apiVersion.indexOf('/');
  return i < 0 ? '' : ref.apiVersion.slice(0, i);
}

/** verifyGroupKind */
function isKind(ref: OwnerReference, kind: string, groups: string[]): boolean {
  return ref.kind === kind && groups.includes(groupOf(ref));
}

function selects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  try {
    // policy/v1: an empty selector selects every pod of the namespace, a missing one none.
    return matchLabels(labelSelectorAsRequirements(pdb.spec?.selector), pod.metadata.labels);
  } catch {
    return false;
  }
}

/** The LabelSelector as %v prints it (its generated String()), for the UnmanagedPods event. */
function selectorString(pdb: PodDisruptionBudget): string {
  const sel = pdb.spec?.selector;
  if (!sel) return '<nil>';
  const labels = Object.keys(sel.matchLabels ?? {})
    .sort()
    .map((k) => `${k}: ${sel.matchLabels![k]},`)
    .join('');
  const exprs = (sel.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

class DisruptionController implements Controller {
  readonly name = 'disruption-controller';
  private readonly queue: WorkQueue;
  /** Pods whose DisruptionTarget condition may have gone stale. */
  private readonly staleQueue: WorkQueue;
  private readonly pdbs: Informer<PodDisruptionBudget>;
  private readonly pods: Informer<Pod>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly deployments: Informer<Deployment>;
  private readonly statefulSets: Informer<Scalable>;
  private readonly replicationControllers: Informer<Scalable>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.pdbs = ctx.informers.for<PodDisruptionBudget>(pdbResource);
    this.pods = ctx.informers.for<Pod>(podsResource);
    this.replicaSets = ctx.informers.for<ReplicaSet>(resourceFor('replicasets', 'apps'));
    this.deployments = ctx.informers.for<Deployment>(resourceFor('deployments', 'apps'));
    this.statefulSets = ctx.informers.for<Scalable>(resourceFor('statefulsets', 'apps'));
    this.replicationControllers = ctx.informers.for<Scalable>(resourceFor('replicationcontrollers'));
    // The event source upstream's disruption controller records under.
    this.recorder = ctx.recorder('controllermanager');
    this.queue = new WorkQueue((key) => this.sync(key), { name: this.name, workers: 1, logger: ctx.logger });
    this.staleQueue = new WorkQueue((key) => this.syncStalePodDisruption(key), { name: 'stale-pod-disruption', workers: 1, logger: ctx.logger });
  }

  start(): void {
    const enqueue = (pdb: PodDisruptionBudget) => this.queue.add(objectKey(pdb));
    this.pdbs.addHandlers({ add: enqueue, update: (_o, pdb) => enqueue(pdb), delete: enqueue });
    const onPod = (pod: Pod) => {
      const pdb = this.pdbForPod(pod);
      if (pdb) enqueue(pdb);
    };
    const onLivePod = (pod: Pod) => {
      onPod(pod);
      const staleIn = staleDisruptionIn(pod, this.ctx.now());
      if (staleIn !== undefined) this.staleQueue.addAfter(objectKey(pod), staleIn);
    };
    this.pods.addHandlers({ add: onLivePod, update: (_o, pod) => onLivePod(pod), delete: onPod });
  }

  stop(): void {
    this.queue.stop();
    this.staleQueue.stop();
  }

  /** syncStalePodDisruption: sets a stale DisruptionTarget condition back to False. */
  private async syncStalePodDisruption(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.getByName(namespace, name);
    if (!pod) return;
    const now = this.ctx.now();
    const staleIn = staleDisruptionIn(pod, now);
    if (staleIn === undefined) return;
    if (staleIn > 0) return { requeueAfterMs: staleIn };
    // At the cached resourceVersion: a pod that changed meanwhile is looked at again.
    await this.ctx.client.updateStatus<Pod>(podsResource, { ...pod, status: { ...pod.status, conditions: clearedDisruptionTarget(pod, now) } });
    return;
  }

  /** Resolves when nothing is queued (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** getPdbForPod: the first budget selecting the pod; a pod under several gets a warning. */
  private pdbForPod(pod: Pod): PodDisruptionBudget | undefined {
    const pdbs = this.pdbs.list(pod.metadata.namespace).filter((pdb) => selects(pdb, pod));
    if (pdbs.length > 1) {
      const msg = `Pod ${JSON.stringify(pod.metadata.namespace)}/${JSON.stringify(pod.metadata.name)} matches multiple PodDisruptionBudgets.  Chose ${JSON.stringify(pdbs[0].metadata.name)} arbitrarily.`;
      this.recorder.event(pod, 'Warning', 'MultiplePodDisruptionBudgets', msg);
    }
    return pdbs[0];
  }

  /** The finders in upstream's order: RC, Deployment (through its ReplicaSet), bare ReplicaSet, StatefulSet, then the scale subresource. */
  private findScale = (ref: OwnerReference, namespace: string): ControllerAndScale | undefined => {
    const replicas = (o: Scalable) => o.spec?.replicas ?? 1;
    const same = <T extends KubeObject>(o: T | undefined, uid: string) => (o && o.metadata.uid === uid ? o : undefined);
    if (isKind(ref, 'ReplicationController', [''])) {
      const rc = same(this.replicationControllers.getByName(namespace, ref.name), ref.uid);
      return rc && { uid: rc.metadata.uid!, scale: replicas(rc) };
    }
    if (isKind(ref, 'ReplicaSet', ['apps', 'extensions'])) {
      const rs = same(this.replicaSets.getByName(namespace, ref.name), ref.uid);
      if (!rs) return undefined;
      const owner = controllerOf(rs.metadata);
      if (owner && owner.kind === 'Deployment') {
        if (!isKind(owner, 'Deployment', ['apps', 'extensions'])) return undefined;
        const d = same(this.deployments.getByName(namespace, owner.name), owner.uid);
        return d && { uid: d.metadata.uid!, scale: replicas(d) };
      }
      return { uid: rs.metadata.uid!, scale: replicas(rs) };
    }
    if (isKind(ref, 'StatefulSet', ['apps'])) {
      const ss = same(this.statefulSets.getByName(namespace, ref.name), ref.uid);
      return ss && { uid: ss.metadata.uid!, scale: replicas(ss) };
    }
    return this.scaleSubresource(ref);
  };

  /**
   * getScaleController for any other kind. Every kind kanzen serves with a scale subresource
   * has a finder above, so what remains is a kind without one or a kind not served at all.
   */
  private scaleSubresource(ref: OwnerReference): undefined {
    const info = findKind(ref.kind);
    const version = ref.apiVersion.slice(ref.apiVersion.indexOf('/') + 1);
    if (!info || info.group !== groupOf(ref)) throw new Error(`no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(ref.apiVersion.includes('/') ? ref.apiVersion : version)}`);
    if (!info.subresources.some((s) => s.name === 'scale')) {
      throw new Error(`${info.group ? `${info.resource}.${info.group}` : info.resource} does not implement the scale subresource`);
    }
    return undefined;
  }

  private async sync(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const pdb = this.pdbs.getByName(namespace, name);
    if (!pdb) return;
    try {
      return await this.trySync(pdb);
    } catch (e) {
      // A conflict is another writer (the eviction subresource): just retry.
      if (isConflict(e)) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      this.ctx.logger.warn('failed to sync pdb', { pdb: key, err: msg });
      await this.writeStatus(pdb, failSafeStatus(pdb, msg, this.ctx.now()));
      return;
    }
  }

  private async trySync(pdb: PodDisruptionBudget): Promise<ReconcileResult> {
    const pods = this.pods.list(pdb.metadata.namespace).filter((p) => selects(pdb, p));
    if (!pods.length) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let expected;
    try {
      expected = expectedPodCount(pdb, pods, this.findScale);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${msg}`);
      throw e;
    }
    if (expected.unmanagedPods.length) {
      this.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${selectorString(pdb)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    const now = this.ctx.now();
    const disrupted = buildDisruptedPodMap(pods, pdb, now);
    for (const pod of disrupted.notDeleted) {
      this.recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.namespace} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disrupted.disruptedPods, now);
    const status = nextBudgetStatus(pdb, { currentHealthy, desiredHealthy: expected.desiredHealthy, expectedCount: expected.expectedCount, disruptedPods: disrupted.disruptedPods }, now);
    if (status) await this.writeStatus(pdb, status);
    if (disrupted.recheckAt !== undefined) return { requeueAfterMs: Math.max(0, disrupted.recheckAt - now.getTime()) };
    return;
  }

  /** One write at the cached resourceVersion: a conflict means the budget moved on and is synced again. */
  private async writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus): Promise<void> {
    await this.ctx.client.updateStatus<PodDisruptionBudget>(pdbResource, { ...pdb, status });
  }
}

export function newDisruptionController(ctx: ControllerContext): Controller {
  return new DisruptionController(ctx);
}
