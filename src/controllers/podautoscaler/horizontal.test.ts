// The HorizontalPodAutoscaler controller against a real API server: a Deployment's pods (run by
// the test kubelet) report cpu through the metrics.k8s.io API (the API server's scraper reading
// usage this test sets), and the autoscaler scales the Deployment up under load and down after
// it, with upstream's status, conditions and events; and the failures upstream reports when the
// target or a metric cannot be read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomResourceDefinition, Deployment, Event, HorizontalPodAutoscaler, KubeObject, Node, Pod } from '../../api/types.js';
import { findByKind } from '../../api/resources.js';
import type { ContainerUsage, NodeResourceUsage } from '../../api/node-resource-usage.js';
import { resourceFor } from '../../client/api-client.js';
import { startControllerHarness, type ControllerHarness } from '../../testing/controller-harness.js';
import { testDeployment } from '../../testing/workload-objects.js';
import { waitFor } from '../../testing/wait.js';
import { newDeploymentController } from '../deployment/deployment-controller.js';
import { newReplicaSetController } from '../replicaset-controller.js';
import { newCRDConditionsController } from '../crd-conditions-controller.js';
import { newHorizontalController } from './horizontal.js';

const hpaInfo = resourceFor('horizontalpodautoscalers', 'autoscaling');
const deployments = resourceFor('deployments', 'apps');
const ns = 'default';

let h: ControllerHarness;
/** The cpu (cores) each running pod of the web Deployment uses now. */
let perPodCores = 0;
const cpuSeconds = new Map<string, number>();
let lastScrape = Date.now();

/** The node's reading: each pod's cumulative cpu grown by its current rate since the last reading. */
function scrape(): NodeResourceUsage {
  const now = Date.now();
  const dt = (now - lastScrape) / 1000;
  lastScrape = now;
  const containers: ContainerUsage[] = h.pods(ns)
    .filter((p: Pod) => p.status?.phase === 'Running')
    .map((p) => {
      const key = p.metadata.name!;
      const rate = p.metadata.labels?.app === 'web' ? perPodCores : 0.001;
      cpuSeconds.set(key, (cpuSeconds.get(key) ?? 0) + rate * dt);
      return { namespace: ns, pod: key, container: p.spec.containers[0].name, cpuCoreSeconds: cpuSeconds.get(key)!, memoryWorkingSetBytes: 4 << 20 };
    });
  return { time: new Date(now), node: { cpuCoreSeconds: [...cpuSeconds.values()].reduce((a, b) => a + b, 0), memoryWorkingSetBytes: 64 << 20 }, containers };
}

function hpa(name: string, target: string, spec: Partial<HorizontalPodAutoscaler['spec']> = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 1, maxReplicas: 4, ...spec },
  };
}

const getHPA = (name: string) => h.client.get<HorizontalPodAutoscaler>(hpaInfo, ns, name);
const condition = (x: HorizontalPodAutoscaler, type: string) => x.status?.conditions?.find((c) => c.type === type);
const eventsOf = async (name: string) => (await h.events(ns)).filter((e: Event) => e.involvedObject.kind === 'HorizontalPodAutoscaler' && e.involvedObject.name === name);

before(async () => {
  h = await startControllerHarness({
    controllers: [newDeploymentController, newReplicaSetController, newCRDConditionsController, newHorizontalController],
    kubelet: true,
    options: { horizontalPodAutoscalerSyncPeriodMs: 100 },
    seed: (client) => client.create<Node>(resourceFor('nodes'), undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } }),
  });
  // Read every 2 s, twice the scraper's shortest window (1 s): a read that comes sooner after the
  // last one (a pod started) replaces it rather than starting a window, and reads at the shortest
  // window's pace could go on replacing it.
  h.fixture.server.startResourceMetrics(async () => scrape(), 2000);
});

after(async () => {
  await h.fixture.server.stopResourceMetrics();
  await h.stop();
});

describe('horizontal-pod-autoscaler', () => {
  test('scales a Deployment up under cpu load and back down when it ends', async () => {
    const web = testDeployment('web', 1);
    web.spec.template.spec!.containers[0].resources = { requests: { cpu: '100m' } };
    await h.client.create<Deployment>(deployments, ns, web);
    perPodCores = 0.1; // 100% of the request against a 50% target
    await h.client.create<HorizontalPodAutoscaler>(hpaInfo, ns, hpa('web', 'web', {
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 1 } },
    }));

    const up = await waitFor(async () => {
      const x = await getHPA('web');
      return x.status?.currentReplicas === 4 && condition(x, 'ScalingLimited')?.reason === 'TooManyReplicas' ? x : undefined;
    }, 60_000, 'scale up to maxReplicas');
    assert.equal(up.status?.desiredReplicas, 4);
    assert.ok(up.status?.lastScaleTime);
    assert.deepEqual([condition(up, 'ScalingActive')?.status, condition(up, 'ScalingActive')?.reason, condition(up, 'ScalingActive')?.message], ['True', 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)']);
    assert.deepEqual([condition(up, 'ScalingLimited')?.status, condition(up, 'ScalingLimited')?.message], ['True', 'the desired replica count is more than the maximum replica count']);
    const metric = up.status?.currentMetrics?.[0];
    assert.equal(metric?.type, 'Resource');
    assert.equal(metric?.resource?.name, 'cpu');
    assert.ok((metric?.resource?.current.averageUtilization ?? 0) >= 50, JSON.stringify(metric));
    assert.equal((await h.client.get<Deployment>(deployments, ns, 'web')).spec.replicas, 4);
    const rescales = (await eventsOf('web')).filter((e) => e.reason === 'SuccessfulRescale');
    assert.ok(rescales.length >= 1);
    for (const e of rescales) assert.match(e.message!, /^New size: [234]; reason: cpu resource utilization \(percentage of request\) above target$/);
    assert.equal(rescales[0].source?.component, 'horizontal-pod-autoscaler');

    perPodCores = 0.005; // 5%: one pod is enough
    const down = await waitFor(async () => {
      const x = await getHPA('web');
      return x.status?.currentReplicas === 1 && x.status.desiredReplicas === 1 ? x : undefined;
    }, 60_000, 'scale down to minReplicas');
    assert.equal(condition(down, 'AbleToScale')?.status, 'True');
    assert.equal((await h.client.get<Deployment>(deployments, ns, 'web')).spec.replicas, 1);
    const downs = (await eventsOf('web')).filter((e) => e.reason === 'SuccessfulRescale' && e.message!.endsWith('reason: All metrics below target'));
    assert.deepEqual(downs.map((e) => e.message), ['New size: 1; reason: All metrics below target']);
  });

  test('a custom resource through its scale subresource: above maxReplicas, scaled down to it; without a selector, InvalidSelector', async () => {
    const crd: CustomResourceDefinition = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    await h.client.create(resourceFor('customresourcedefinitions', 'apiextensions.k8s.io'), undefined, crd);
    const widgets = await waitFor(() => findByKind('example.com/v1', 'Widget'), 10_000, 'Widget served');
    await h.client.create<KubeObject>(widgets, ns, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { replicas: 5 } } as KubeObject);
    await h.client.create<HorizontalPodAutoscaler>(hpaInfo, ns, hpa('widget', 'w', { scaleTargetRef: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' } }));
    await waitFor(async () => ((await h.client.get<KubeObject & { spec: { replicas: number } }>(widgets, ns, 'w')).spec.replicas === 4 ? true : undefined), 10_000, 'widget scaled to maxReplicas');
    const ev = await waitFor(async () => (await eventsOf('widget')).find((e) => e.reason === 'SuccessfulRescale'));
    assert.equal(ev.message, 'New size: 4; reason: Current number of replicas above Spec.MaxReplicas');
    // Within range now, the metrics need the pods: the CRD names no labelSelectorPath.
    const x = await waitFor(async () => {
      const o = await getHPA('widget');
      return condition(o, 'ScalingActive')?.reason === 'InvalidSelector' ? o : undefined;
    });
    assert.deepEqual([condition(x, 'ScalingActive')?.status, condition(x, 'ScalingActive')?.message], ['False', "the HPA target's scale is missing a selector"]);
    assert.ok((await eventsOf('widget')).some((e) => e.reason === 'SelectorRequired' && e.message === 'selector is required'));
  });

  test('a missing target: AbleToScale False FailedGetScale with the API error, and its event', async () => {
    await h.client.create<HorizontalPodAutoscaler>(hpaInfo, ns, hpa('ghost', 'nothing-here'));
    const x = await waitFor(async () => {
      const o = await getHPA('ghost');
      return condition(o, 'AbleToScale') ? o : undefined;
    }, 10_000, 'AbleToScale condition');
    const c = condition(x, 'AbleToScale')!;
    assert.deepEqual([c.status, c.reason, c.message], ['False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: deployments.apps "nothing-here" not found`]);
    const ev = await waitFor(async () => (await eventsOf('ghost')).find((e) => e.reason === 'FailedGetScale'));
    assert.deepEqual([ev.type, ev.message], ['Warning', 'deployments.apps "nothing-here" not found']);
  });

  test('a kind the API does not serve: no matches for kind', async () => {
    await h.client.create<HorizontalPodAutoscaler>(hpaInfo, ns, hpa('odd', 'x', { scaleTargetRef: { apiVersion: 'example.com/v1', kind: 'Gadget', name: 'x' } }));
    const x = await waitFor(async () => {
      const o = await getHPA('odd');
      return condition(o, 'AbleToScale') ? o : undefined;
    });
    assert.equal(condition(x, 'AbleToScale')?.message, `the HPA controller was unable to get the target's current scale: no matches for kind "Gadget" in group "example.com"`);
  });

  test('a Pods metric without a custom metrics API: ScalingActive False FailedGetPodsMetric, FailedComputeMetricsReplicas', async () => {
    await h.client.create<Deployment>(deployments, ns, testDeployment('qps', 1));
    await h.client.create<HorizontalPodAutoscaler>(hpaInfo, ns, hpa('qps', 'qps', { metrics: [{ type: 'Pods', pods: { metric: { name: 'packets-per-second' }, target: { type: 'AverageValue', averageValue: '1k' } } }] }));
    const x = await waitFor(async () => {
      const o = await getHPA('qps');
      return condition(o, 'ScalingActive') ? o : undefined;
    });
    const c = condition(x, 'ScalingActive')!;
    const cause = 'unable to get metric packets-per-second: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered';
    assert.deepEqual([c.status, c.reason, c.message], ['False', 'FailedGetPodsMetric', `the HPA was unable to compute the replica count: ${cause}`]);
    assert.deepEqual([condition(x, 'AbleToScale')?.reason, x.status?.currentReplicas], ['SucceededGetScale', 1]);
    const events = await waitFor(async () => {
      const evs = await eventsOf('qps');
      return evs.some((e) => e.reason === 'FailedComputeMetricsReplicas') ? evs : undefined;
    });
    assert.equal(events.find((e) => e.reason === 'FailedGetPodsMetric')?.message, cause);
    assert.equal(events.find((e) => e.reason === 'FailedComputeMetricsReplicas')?.message, `invalid metrics (1 invalid out of 1), first error is: failed to get pods metric value: ${cause}`);
  });

  test('two autoscalers of one Deployment: AmbiguousSelector on both', async () => {
    await h.client.create<Deployment>(deployments, ns, testDeployment('twice', 1));
    await h.client.create<HorizontalPodAutoscaler>(hpaInfo, ns, hpa('twice-a', 'twice'));
    await h.client.create<HorizontalPodAutoscaler>(hpaInfo, ns, hpa('twice-b', 'twice'));
    const message = 'pods by selector app=twice are controlled by multiple HPAs: [default/twice-a default/twice-b]';
    for (const name of ['twice-a', 'twice-b']) {
      const x = await waitFor(async () => {
        const o = await getHPA(name);
        return condition(o, 'ScalingActive')?.reason === 'AmbiguousSelector' ? o : undefined;
      }, 10_000, `${name} AmbiguousSelector`);
      assert.deepEqual([condition(x, 'ScalingActive')?.status, condition(x, 'ScalingActive')?.message], ['False', message]);
      assert.ok((await eventsOf(name)).some((e) => e.reason === 'AmbiguousSelector' && e.message === message));
    }
  });

  test('a target scaled to zero: ScalingActive False ScalingDisabled, left at zero', async () => {
    await h.client.create<Deployment>(deployments, ns, testDeployment('idle', 0));
    await h.client.create<HorizontalPodAutoscaler>(hpaInfo, ns, hpa('idle', 'idle'));
    const x = await waitFor(async () => {
      const o = await getHPA('idle');
      return condition(o, 'ScalingActive') ? o : undefined;
    });
    const c = condition(x, 'ScalingActive')!;
    assert.deepEqual([c.status, c.reason, c.message], ['False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero']);
    assert.deepEqual([x.status?.currentReplicas, x.status?.desiredReplicas], [0, 0]);
    assert.equal((await h.client.get<Deployment>(deployments, ns, 'idle')).spec.replicas, 0);
  });

  test('no cpu request: FailedGetResourceMetric names the container', async () => {
    await h.client.create<Deployment>(deployments, ns, testDeployment('noreq', 1));
    await h.client.create<HorizontalPodAutoscaler>(hpaInfo, ns, hpa('noreq', 'noreq', { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] }));
    const x = await waitFor(async () => {
      const o = await getHPA('noreq');
      return condition(o, 'ScalingActive')?.reason === 'FailedGetResourceMetric' && /missing request/.test(condition(o, 'ScalingActive')!.message!) ? o : undefined;
    }, 30_000, 'FailedGetResourceMetric');
    assert.match(condition(x, 'ScalingActive')!.message!, /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container nginx of Pod noreq-[a-z0-9]+-[a-z0-9]+$/);
  });
});
