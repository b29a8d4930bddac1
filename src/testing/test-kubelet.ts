// A kubelet stand-in for controller tests: it binds every pod to one node, reports it
// Running and Ready (unless readiness is held) and confirms graceful deletions at once.
//
// Why not src/node/fake-kubelet.ts's FakeKubelet: that one is a node agent (it only runs pods a
// scheduler bound to it, so the scheduler's events would mix with those under test; it
// reports a deleted pod Succeeded before removing it, which lets Recreate proceed while the
// old pod still exists; and readiness is held per pod by annotation, not for a whole test).
// Workload controller tests want none of that: pods that run and go the moment they may.
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { Informer } from '../client/informer.js';
import type { Pod } from '../api/types.js';
import { rfc3339 } from '../api/time.js';

const podsResource = resourceFor('pods');


export class TestKubelet {
  /** While true, new pods are bound and Running but not Ready. */
  holdReady = false;
  /** While false, pods wait for a scheduler under test to bind them (to any node). */
  bindsPods = true;
  private readonly busy = new Set<string>();

  constructor(
    private readonly client: ApiClient,
    private readonly pods: Informer<Pod>,
    readonly nodeName = 'node-1',
  ) {
    pods.addHandlers({ add: (p) => this.handle(p), update: (_o, p) => this.handle(p) });
  }

  /** One step per pod at a time; a change seen meanwhile is handled once the step ends. */
  private handle(pod: Pod): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (this.busy.has(key)) return;
    this.busy.add(key);
    void this.step(pod)
      .catch(() => undefined)
      .finally(() => {
        this.busy.delete(key);
        const latest = this.pods.getByName(pod.metadata.namespace, pod.metadata.name!);
        if (latest && latest.metadata.resourceVersion !== pod.metadata.resourceVersion) this.handle(latest);
      });
  }

  private async step(pod: Pod): Promise<void> {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp) {
      await this.client.delete(podsResource, ns, name, { gracePeriodSeconds: 0 });
      return;
    }
    // A finished pod stays finished (tests write Succeeded / Failed as a kubelet would).
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    if (!pod.spec.nodeName) {
      if (!this.bindsPods) return;
      await this.client.post(podsResource, ns, name, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: this.nodeName } });
      return;
    }
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (pod.status?.phase === 'Running' && (ready || this.holdReady)) return;
    await this.setStatus(pod, !this.holdReady);
  }

  private async setStatus(pod: Pod, ready: boolean): Promise<void> {
    const now = rfc3339(new Date());
    const flag = ready ? 'True' : 'False';
    const status = {
      ...(pod.status ?? {}),
      phase: 'Running' as const,
      podIP: '10.244.1.10',
      startTime: pod.status?.startTime ?? now,
      conditions: [
        { type: 'Initialized', status: 'True' as const, lastProbeTime: null, lastTransitionTime: now },
        { type: 'Ready', status: flag, lastProbeTime: null, lastTransitionTime: now },
        { type: 'ContainersReady', status: flag, lastProbeTime: null, lastTransitionTime: now },
        { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: now },
      ],
      containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready, restartCount: 0, started: true, state: { running: { startedAt: now } } })),
    };
    await this.client.updateStatus(podsResource, { ...pod, status });
  }
}
