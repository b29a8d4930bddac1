// pods/eviction (upstream pkg/registry/core/pod/storage/eviction.go): a pod deletion that
// asks first. A pod covered by a PodDisruptionBudget goes only if the budget allows one more
// disruption, which the eviction spends (status.disruptionsAllowed down by one, the pod in
// status.disruptedPods, one status write at the budget's resourceVersion); otherwise the
// answer is 429 TooManyRequests and the client (kubectl drain) tries again later.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, isConflict, orderedStatus } from '../api/errors.js';
import { labelSelectorAsRequirements, matchLabels } from '../api/labels.js';
import { updateDisruptionAllowedCondition } from '../api/poddisruptionbudget.js';
import { rfc3339 } from '../api/time.js';
import type { DeleteOptions, Eviction, Pod, PodDisruptionBudget, Status } from '../api/types.js';
import { requestBody, sendJSON } from './http.js';
import type { Registry } from './registry.js';
import type { RequestInfo } from './request-info.js';

/**
 * MaxDisruptedPodSize: evictions the budget's controller has not yet seen through; past it the
 * subresource refuses more until the controller catches up.
 */
export const maxDisruptedPodSize = 2000;

/** EvictionsRetry: conflicts with other writers are retried 20 times, 500ms apart (±10%). */
const evictionRetrySteps = 20;
const evictionRetryMs = 500;

const pdbGroupResource = { group: 'policy', resource: 'poddisruptionbudget' };
const tooManyRequestsMessage = "Cannot evict pod as it would violate the pod's disruption budget.";

export interface EvictionDeps {
  pods: Registry;
  pdbs: Registry;
  now?: () => Date;
}

/** createTooManyRequestsError: the budget has not been computed for its current spec yet. */
function stillProcessing(pdbName: string): ApiError {
  return ApiError.tooManyRequests(tooManyRequestsMessage, 10, [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdbName} is still being processed by the server.` }]);
}

/** retry.OnError with EvictionsRetry: run fn again on errors retryable says to retry. */
async function withRetry<T>(retryable: (e: unknown) => boolean, fn: () => Promise<T>): Promise<T> {
  for (let step = 1; ; step++) {
    try {
      return await fn();
    } catch (e) {
      if (!retryable(e) || step >= evictionRetrySteps) throw e;
      await sleep(evictionRetryMs * (1 + Math.random() * 0.1));
    }
  }
}

/** propagateDryRun: the request's dryRun and the eviction's deleteOptions.dryRun must agree. */
function deleteOptionsOf(eviction: Eviction, url: URL): DeleteOptions {
  const requestDryRun = url.searchParams.getAll('dryRun');
  if (requestDryRun.some((d) => d !== 'All')) throw ApiError.badRequest(`Invalid dry run value: ${requestDryRun.join(',')}`);
  const opts: DeleteOptions = { ...(eviction.deleteOptions ?? {}) };
  const bodyDryRun = opts.dryRun ?? [];
  if (!bodyDryRun.length) {
    if (requestDryRun.length) opts.dryRun = requestDryRun;
  } else if (requestDryRun.length && requestDryRun.join(',') !== bodyDryRun.join(',')) {
    throw ApiError.internal(new Error(`Non-matching dry-run options in request and content: [${requestDryRun.join(' ')}] and [${bodyDryRun.join(' ')}]`));
  }
  return opts;
}

const isDryRun = (opts: DeleteOptions) => (opts.dryRun?.length ?? 0) > 0;
const rvUnset = (opts: DeleteOptions) => !opts.preconditions?.resourceVersion;

/** podutil.IsPodReady */
const podReady = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** canIgnorePDB: a finished, pending or already deleting pod disrupts nothing more. */
function canIgnorePDB(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

/** shouldEnforceResourceVersion: only a live pod could become Ready (and count) under us. */
function shouldEnforceResourceVersion(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

function withResourceVersion(opts: DeleteOptions, rv: string | undefined): DeleteOptions {
  return { ...opts, preconditions: { ...(opts.preconditions ?? {}), resourceVersion: rv } };
}

class EvictionREST {
  private readonly now: () => Date;

  constructor(private readonly deps: EvictionDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Create: evicts the named pod, or says why not. Resolves to the Status to answer with. */
  async evict(namespace: string, name: string, eviction: Eviction, url: URL): Promise<{ code: number; status: Status }> {
    if (eviction.metadata?.name !== name) throw ApiError.badRequest('name in URL does not match name in Eviction object');
    const original = deleteOptionsOf(eviction, url);
    let pod: Pod | undefined;
    let deleted = false;
    // A caller's own resourceVersion precondition is final: its conflict is not retried.
    await withRetry(rvUnset(original) ? isConflict : () => false, async () => {
      pod = (await this.deps.pods.get(namespace, name)) as Pod;
      if (!canIgnorePDB(pod)) return;
      const opts = shouldEnforceResourceVersion(pod) && rvUnset(original) ? withResourceVersion(original, pod.metadata.resourceVersion) : original;
      await this.deletePod(namespace, name, opts);
      deleted = true;
    });
    if (deleted) return success();

    const pdbs = await this.budgetsOf(pod!);
    if (pdbs.length > 1) {
      return { code: 500, status: orderedStatus({ status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 }) };
    }
    let opts = original;
    let pinned = false;
    if (pdbs.length === 1) {
      const pdb = pdbs[0];
      if (this.unhealthyPodMayGo(pod!, pdb)) {
        // Not counted as healthy, so nothing to spend; but it must not turn Ready before it goes.
        opts = withResourceVersion(original, pod!.metadata.resourceVersion);
        pinned = true;
      } else {
        await this.spendBudget(namespace, name, pdb, isDryRun(original));
      }
    }
    try {
      await this.deletePod(namespace, name, opts);
    } catch (e) {
      if (isConflict(e) && pinned && rvUnset(original)) throw stillProcessing(pdbs[0].metadata.name!);
      throw e;
    }
    return success();
  }

  /** getPodDisruptionBudgets: the budgets whose (non-empty, valid) selector matches the pod. */
  private async budgetsOf(pod: Pod): Promise<PodDisruptionBudget[]> {
    const list = await this.deps.pdbs.list(pod.metadata.namespace);
    return (list.items as PodDisruptionBudget[]).filter((pdb) => {
      let reqs;
      try {
        reqs = labelSelectorAsRequirements(pdb.spec?.selector);
      } catch {
        return false;
      }
      // A budget with a missing or empty selector protects nothing here.
      return reqs !== null && reqs.length > 0 && matchLabels(reqs, pod.metadata.labels);
    });
  }

  /**
   * An unready pod does not count towards currentHealthy: AlwaysAllow lets it go at once;
   * IfHealthyBudget (the default) lets it go while the application is otherwise healthy.
   */
  private unhealthyPodMayGo(pod: Pod, pdb: PodDisruptionBudget): boolean {
    if (podReady(pod)) return false;
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
    const s = pdb.status;
    return !!s && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0;
  }

  /** The verify-and-decrement loop: re-read the budget after a conflict and check again. */
  private async spendBudget(namespace: string, podName: string, first: PodDisruptionBudget, dryRun: boolean): Promise<void> {
    let pdb = first;
    let refresh = false;
    try {
      await withRetry(isConflict, async () => {
        if (refresh) pdb = (await this.deps.pdbs.get(namespace, first.metadata.name!)) as PodDisruptionBudget;
        refresh = true;
        await this.checkAndDecrement(podName, pdb, dryRun);
      });
    } catch (e) {
      if (isConflict(e)) throw ApiError.timeout(`couldn't update PodDisruptionBudget ${JSON.stringify(first.metadata.name)} due to conflicts`);
      throw e;
    }
  }

  /** checkAndDecrement */
  private async checkAndDecrement(podName: string, pdb: PodDisruptionBudget, dryRun: boolean): Promise<void> {
    const name = pdb.metadata.name!;
    const status = structuredClone(pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw stillProcessing(name);
    if (status.disruptionsAllowed < 0) throw ApiError.forbidden(pdbGroupResource, name, 'pdb disruptions allowed is negative');
    if (Object.keys(status.disruptedPods ?? {}).length > maxDisruptedPodSize) {
      throw ApiError.forbidden(pdbGroupResource, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    }
    if (status.disruptionsAllowed === 0) {
      throw ApiError.tooManyRequests(tooManyRequestsMessage, 0, [
        { reason: 'DisruptionBudget', message: `The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently` },
      ]);
    }
    status.disruptionsAllowed--;
    if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(status, this.now());
    if (dryRun) return;
    // The controller keeps the pod out of currentHealthy until it sees the deletion.
    status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: rfc3339(this.now()) };
    await this.deps.pdbs.update(
      pdb.metadata.namespace,
      name,
      (cur) => ({ ...cur!, metadata: { ...cur!.metadata, resourceVersion: pdb.metadata.resourceVersion }, status }),
      { dryRun: false, fieldManager: 'kube-apiserver', subresource: 'status' },
    );
  }

  /**
   * addConditionAndDeletePod: the pod says why it goes (DisruptionTarget, unless a dry run),
   * then is deleted with the eviction's options; a resourceVersion precondition follows the
   * condition's own write.
   */
  private async deletePod(namespace: string, name: string, opts: DeleteOptions): Promise<void> {
    const dryRun = isDryRun(opts);
    if (!dryRun) {
      const { object } = await this.deps.pods.update(
        namespace,
        name,
        (cur) => {
          const pod = structuredClone(cur) as Pod;
          const pre = opts.preconditions;
          if (pre?.uid && pre.uid !== pod.metadata.uid) {
            throw ApiError.conflict({ group: '', resource: 'Pod' }, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${pod.metadata.uid}). The object might have been deleted and then recreated`);
          }
          if (pre?.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
            throw ApiError.conflict({ group: '', resource: 'Pod' }, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${pod.metadata.resourceVersion}). The object might have been modified`);
          }
          pod.status = { ...(pod.status ?? {}), conditions: disruptionTargetConditions(pod, this.now()) };
          return pod;
        },
        { dryRun: false, fieldManager: 'kube-apiserver', subresource: 'status' },
        // Another writer (the kubelet) in between: apply the condition to the newer pod.
        true,
      );
      if (!rvUnset(opts)) opts = withResourceVersion(opts, object.metadata.resourceVersion);
    }
    await this.deps.pods.delete(namespace, name, opts, { dryRun });
  }
}

/** The pod's conditions with DisruptionTarget=True (reason EvictionByEvictionAPI), as podutil.UpdatePodCondition. */
function disruptionTargetConditions(pod: Pod, now: Date): NonNullable<NonNullable<Pod['status']>['conditions']> {
  const conditions = [...(pod.status?.conditions ?? [])];
  const next = { type: 'DisruptionTarget', status: 'True' as const, lastProbeTime: null, lastTransitionTime: rfc3339(now), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
  const i = conditions.findIndex((c) => c.type === next.type);
  if (i < 0) return [...conditions, next];
  // The transition time moves only when the status does.
  conditions[i] = { ...next, lastTransitionTime: conditions[i].status === 'True' ? conditions[i].lastTransitionTime : next.lastTransitionTime };
  return conditions;
}

function success(): { code: number; status: Status } {
  return { code: 201, status: orderedStatus({ status: 'Success', code: 201 }) };
}

/** POST pods/<name>/eviction: decodes the Eviction (policy/v1 or v1beta1) and answers with a Status. */
export async function handleEviction(deps: EvictionDeps, ri: RequestInfo, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const body = (await requestBody(req)).value as Eviction | null;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw ApiError.badRequest('Object is not a valid JSON object');
  if (body.kind !== undefined && body.kind !== 'Eviction') throw ApiError.badRequest(`not a Eviction object: ${body.kind}`);
  const { code, status } = await new EvictionREST(deps).evict(ri.namespace!, ri.name!, { ...body, metadata: body.metadata ?? {} }, url);
  sendJSON(res, code, status);
}
