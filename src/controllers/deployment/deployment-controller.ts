// The Deployment controller (upstream pkg/controller/deployment/deployment_controller.go):
// owns ReplicaSets, one per pod template, and moves replicas between them by the strategy.
// Handlers only enqueue deployment keys; syncDeployment reads caches and acts.
import type { Deployment, Pod, ReplicaSet } from '../../api/types.js';
import { labelSelectorAsRequirements, matchLabels } from '../../api/labels.js';
import { resourceFor } from '../../client/api-client.js';
import { objectKey, splitKey, type Informer } from '../../client/informer.js';
import { WorkQueue, type ReconcileResult } from '../../client/work-queue.js';
import type { Controller, ControllerContext } from '../controller-context.js';
import { adoptPatch, claimObjects, controllerOf, newControllerRef, recheckDeletionTimestamp, releasePatch } from '../replicaset/controller-ref-manager.js';
import { controllerKind, deploymentsResource, replicaSetsResource, updateDeploymentStatus, type DeploymentDeps } from './deployment-context.js';
import { checkPausedConditions, isScalingEvent, syncScaleOnly, syncStatusOnly } from './sync.js';
import { rolloutRolling } from './rolling.js';
import { rolloutRecreate, type PodMap } from './recreate.js';

/** Workers: --concurrent-deployment-syncs default. */
const workers = 5;
const podsResource = resourceFor('pods');

function selectorMatches(d: Deployment, labels: Record<string, string> | undefined): boolean {
  try {
    const reqs = labelSelectorAsRequirements(d.spec.selector);
    // An empty selector would match everything; upstream refuses to act on it.
    return reqs !== null && reqs.length > 0 && matchLabels(reqs, labels);
  } catch {
    return false;
  }
}

class DeploymentController implements Controller {
  readonly name = 'deployment-controller';
  private readonly queue: WorkQueue;
  private readonly dInformer: Informer<Deployment>;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly deps: DeploymentDeps;

  constructor(private readonly ctx: ControllerContext) {
    this.dInformer = ctx.informers.for<Deployment>(deploymentsResource);
    this.rsInformer = ctx.informers.for<ReplicaSet>(replicaSetsResource);
    this.podInformer = ctx.informers.for<Pod>(podsResource);
    this.deps = { client: ctx.client, recorder: ctx.recorder(this.name), now: ctx.now, rsInformer: this.rsInformer };
    this.queue = new WorkQueue((key) => this.syncDeployment(key), { name: this.name, workers, logger: ctx.logger });
  }

  start(): void {
    this.dInformer.addHandlers({
      add: (d) => this.enqueue(d),
      update: (_old, cur) => this.enqueue(cur),
      delete: (d) => this.enqueue(d),
    });
    this.rsInformer.addHandlers({
      add: (rs) => this.addReplicaSet(rs),
      update: (old, cur) => this.updateReplicaSet(old, cur),
      delete: (rs) => this.deleteReplicaSet(rs),
    });
    this.podInformer.addHandlers({ delete: (pod) => this.deletePod(pod) });
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves when nothing is queued (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private enqueue(d: Deployment): void {
    this.queue.add(objectKey(d));
  }

  private deploymentOf(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerOf(rs.metadata);
    if (!ref || ref.kind !== controllerKind.kind) return undefined;
    const d = this.dInformer.getByName(rs.metadata.namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  /** getDeploymentsForReplicaSet: deployments whose selector matches an orphan ReplicaSet. */
  private deploymentsMatching(rs: ReplicaSet): Deployment[] {
    return this.dInformer.list(rs.metadata.namespace).filter((d) => selectorMatches(d, rs.metadata.labels));
  }

  private addReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp) return this.deleteReplicaSet(rs);
    if (controllerOf(rs.metadata)) {
      const d = this.deploymentOf(rs);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsMatching(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const curRef = controllerOf(cur.metadata);
    const oldRef = controllerOf(old.metadata);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const d = this.deploymentOf(old);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.deploymentOf(cur);
      if (d) this.enqueue(d);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const d of this.deploymentsMatching(cur)) this.enqueue(d);
  }

  private deleteReplicaSet(rs: ReplicaSet): void {
    const d = this.deploymentOf(rs);
    if (d) this.enqueue(d);
  }

  /** deletePod: a Recreate deployment waits for its last old pod to be gone. */
  private deletePod(pod: Pod): void {
    const ref = controllerOf(pod.metadata);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.getByName(pod.metadata.namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.deploymentOf(rs);
    if (!d || d.spec.strategy?.type !== 'Recreate') return;
    const rsList = this.rsInformer.list(d.metadata.namespace).filter((r) => controllerOf(r.metadata)?.uid === d.metadata.uid);
    let pods = 0;
    for (const list of this.podMap(d, rsList).values()) pods += list.length;
    if (pods === 0) this.enqueue(d);
  }

  /** getReplicaSetsForDeployment: claim (adopt/release) ReplicaSets by the deployment's selector. */
  private async replicaSetsForDeployment(d: Deployment): Promise<ReplicaSet[]> {
    const selector = labelSelectorAsRequirements(d.spec.selector);
    const ownerRef = newControllerRef(d, controllerKind.apiVersion, controllerKind.kind);
    const { claimed, errors } = await claimObjects(this.rsInformer.list(d.metadata.namespace), {
      owner: d,
      ownerRef,
      match: (rs) => matchLabels(selector, rs.metadata.labels),
      canAdopt: recheckDeletionTimestamp(this.ctx.client, deploymentsResource, d),
      adopt: async (rs) => {
        await this.ctx.client.patch(replicaSetsResource, rs.metadata.namespace, rs.metadata.name!, 'strategic', adoptPatch(ownerRef, rs.metadata.uid));
      },
      release: async (rs) => {
        await this.ctx.client.patch(replicaSetsResource, rs.metadata.namespace, rs.metadata.name!, 'strategic', releasePatch(d.metadata.uid, rs.metadata.uid));
      },
    });
    if (errors.length) throw errors[0];
    return claimed;
  }

  /** getPodMapForDeployment: pods by owning ReplicaSet; inactive pods count (Recreate needs them). */
  private podMap(d: Deployment, rsList: ReplicaSet[]): PodMap {
    const map: PodMap = new Map(rsList.map((rs) => [rs.metadata.uid!, [] as Pod[]]));
    for (const pod of this.podInformer.candidatesForSelector(d.metadata.namespace, d.spec.selector?.matchLabels)) {
      if (!selectorMatches(d, pod.metadata.labels)) continue;
      const ref = controllerOf(pod.metadata);
      if (ref) map.get(ref.uid)?.push(pod);
    }
    return map;
  }

  async syncDeployment(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.dInformer.getByName(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached);
    const sel = d.spec.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
      this.deps.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await updateDeploymentStatus(this.deps, d);
      }
      return;
    }
    const rsList = await this.replicaSetsForDeployment(d);
    const podMap = this.podMap(d, rsList);
    if (d.metadata.deletionTimestamp) return syncStatusOnly(this.deps, d, rsList);
    await checkPausedConditions(this.deps, d);
    if (d.spec.paused) return syncScaleOnly(this.deps, d, rsList);
    if (await isScalingEvent(this.deps, d, rsList)) return syncScaleOnly(this.deps, d, rsList);
    switch (d.spec.strategy?.type) {
      case 'Recreate':
        return rolloutRecreate(this.deps, d, rsList, podMap);
      case 'RollingUpdate':
        return rolloutRolling(this.deps, d, rsList);
      default:
        throw new Error(`unexpected deployment strategy type: ${d.spec.strategy?.type}`);
    }
  }
}

export function newDeploymentController(ctx: ControllerContext): Controller & { idle(): Promise<void> } {
  return new DeploymentController(ctx);
}
