// Test support for the workload controllers: an API fixture with the ReplicaSet and
// Deployment controllers running, a tiny fake kubelet that binds pods to a node, marks them
// Running and Ready and confirms graceful deletions, and a polling helper.
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { ApiEventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { Event, Pod } from '../../api/types.js';
import { startApiFixture, type ApiFixture } from '../../testing/api-fixture.js';
import { silentLogger } from '../../util/logger.js';
import { defaultControllerOptions, type ControllerContext } from '../controller-context.js';
import { newReplicaSetController } from '../replicaset-controller.js';
import { newDeploymentController } from './deployment-controller.js';

export const podsResource = resourceFor('pods');
export const eventsResource = resourceFor('events');

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A kubelet stand-in: binds, runs and readies pods (unless held), and completes graceful deletions. */
export class FakeKubelet {
  /** While true, new pods are bound and Running but not Ready. */
  holdReady = false;
  private readonly busy = new Set<string>();

  constructor(
    private readonly client: ApiClient,
    private readonly pods: Informer<Pod>,
    readonly nodeName = 'node-1',
  ) {
    pods.addHandlers({ add: (p) => this.handle(p), update: (_o, p) => this.handle(p) });
  }

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
    if (!pod.spec.nodeName) {
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

  /** Marks one pod Ready now (for tests that hold readiness). */
  async makeReady(pod: Pod): Promise<void> {
    await this.setStatus(pod, true);
  }
}

export interface WorkloadHarness {
  fixture: ApiFixture;
  client: ApiClient;
  informers: InformerFactory;
  kubelet?: FakeKubelet;
  pods(namespace?: string): Pod[];
  events(namespace?: string): Promise<Event[]>;
  stop(): Promise<void>;
}

export async function startWorkloadHarness(opts: { kubelet?: boolean; deployments?: boolean } = {}): Promise<WorkloadHarness> {
  const fixture = await startApiFixture();
  const client = fixture.client('kube-controller-manager');
  const informers = new InformerFactory(client);
  const recorders: ApiEventRecorder[] = [];
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => {
      const r = new ApiEventRecorder(client, component);
      recorders.push(r);
      return r;
    },
    logger: silentLogger,
    now: () => new Date(),
    options: defaultControllerOptions,
  };
  const controllers = [newReplicaSetController(ctx)];
  if (opts.deployments !== false) controllers.push(newDeploymentController(ctx));
  for (const c of controllers) c.start();
  const podInformer = informers.for<Pod>(podsResource);
  const kubelet = opts.kubelet === false ? undefined : new FakeKubelet(fixture.client('kubelet'), podInformer);
  informers.start();
  await informers.waitForSync();
  return {
    fixture,
    client,
    informers,
    kubelet,
    pods: (ns = 'default') => podInformer.list(ns),
    events: async (ns = 'default') => {
      await Promise.all(recorders.map((r) => r.flush()));
      return (await client.list<Event>(eventsResource, ns)).items;
    },
    async stop() {
      for (const c of controllers) c.stop();
      informers.stop();
      await Promise.all(recorders.map((r) => r.flush()));
      await fixture.stop();
    },
  };
}
