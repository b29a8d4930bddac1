// HorizontalPodAutoscalers with the real kubectl 1.27 and 1.33. On netns pods (root): a
// Deployment whose pods each burn cpu for a bounded time after they start (busybox timeout,
// capped by a cpu limit) is scaled up by its autoscaler while they are busy and back down once
// they are idle; the status, conditions and SuccessfulRescale events are read back as kubectl
// get and describe show them, and the time each direction took is printed. On the fake runtime:
// the failures upstream reports (no cpu request, a Pods metric without a custom metrics API, a
// missing target). The controller syncs every second and metrics are read every 2 seconds here
// (KANZEN_HPA_SYNC_PERIOD_MS, KANZEN_METRIC_RESOLUTION_MS) instead of every 15 s.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, eventually, parseTable, passClients, startCluster, type TestCluster } from './harness.js';

const isRoot = process.getuid?.() === 0;
process.env.KANZEN_HPA_SYNC_PERIOD_MS = '1000';
// Node usage read every 2 s: longer than the scraper's shortest window (1 s), so every read
// moves the window on.
process.env.KANZEN_METRIC_RESOLUTION_MS = '2000';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface HPAStatus {
  currentReplicas?: number;
  desiredReplicas: number;
  lastScaleTime?: string;
  conditions?: Condition[];
  currentMetrics?: { type: string; resource?: { name: string; current: { averageUtilization?: number; averageValue?: string } } }[];
}

const hpaStatus = async (c: TestCluster, name: string): Promise<HPAStatus> => JSON.parse(await c.k(['get', 'hpa', name, '-o', 'json'])).status ?? {};
const cond = (s: HPAStatus, type: string) => s.conditions?.find((x) => x.type === type);

/** An autoscaling/v2 HorizontalPodAutoscaler of a Deployment, cpu at 50% of requests unless metrics say otherwise. */
function hpaManifest(name: string, target: string, extra = ''): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ${name}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${target}}
  minReplicas: 1
  maxReplicas: 3
${extra || `  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`}`;
}

/** The rows of describe's Conditions table: [type, status, reason, message]. */
function describedConditions(out: string): string[][] {
  const block = out.split('\nConditions:\n')[1]?.split(/\n(?=\S)/)[0] ?? '';
  return block
    .split('\n')
    .slice(2)
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s{2,}/));
}

/** The rows of describe's Events table: [type, reason, age, from, message]. */
function describedEvents(out: string): string[][] {
  const block = out.split('\nEvents:\n')[1] ?? '';
  return block
    .split('\n')
    .slice(2)
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s{2,}/));
}

describe('autoscaler failures upstream reports (fake runtime)', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ nodes: 1 });
    // nginx without a cpu request: the cpu utilization cannot be computed.
    await c.k(['create', 'deployment', 'noreq', '--image=nginx']);
    await c.k(['create', 'deployment', 'pps', '--image=nginx']);
    await c.k(['apply', '-f', '-'], {
      input: [
        hpaManifest('noreq', 'noreq'),
        hpaManifest('pps', 'pps', `  metrics:
  - type: Pods
    pods: {metric: {name: packets-per-second}, target: {type: AverageValue, averageValue: 1k}}
`),
        hpaManifest('ghost', 'ghost'),
      ].join('---\n'),
    });
  });
  after(() => {
    c?.down(true);
  });

  for (const bin of passClients) {
    test(`kubectl ${clientVersion(bin)}: ScalingActive False with FailedGetResourceMetric, FailedGetPodsMetric; AbleToScale False with FailedGetScale`, async () => {
      const describe = async (name: string) => {
        const r = await c.kubectl(['describe', 'hpa', name], { bin });
        assert.equal(r.code, 0, r.stderr);
        return r.stdout;
      };
      const noreq = await eventually(async () => {
        const out = await describe('noreq');
        // Until the first metrics window is in, the failure is "no metrics returned from resource metrics API".
        return describedConditions(out).some((r) => r[0] === 'ScalingActive' && r[3]?.includes('missing request')) && describedEvents(out).some((r) => r[1] === 'FailedComputeMetricsReplicas') ? out : undefined;
      }, 60_000);
      const active = describedConditions(noreq).find((r) => r[0] === 'ScalingActive')!;
      assert.deepEqual(active.slice(0, 3), ['ScalingActive', 'False', 'FailedGetResourceMetric']);
      assert.match(active[3], /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container nginx of Pod noreq-\S+$/);
      assert.deepEqual(describedConditions(noreq).find((r) => r[0] === 'AbleToScale')!.slice(0, 4), ['AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale"]);
      const ev = describedEvents(noreq).find((r) => r[1] === 'FailedGetResourceMetric' && r[4].includes('missing request'))!;
      assert.deepEqual([ev[0], ev[3]], ['Warning', 'horizontal-pod-autoscaler']);
      assert.match(ev[4], /^failed to get cpu utilization: missing request for cpu in container nginx of Pod noreq-\S+$/);
      assert.match(noreq, /\nMin replicas:\s+1\n/);
      assert.match(noreq, /\nDeployment pods:\s+1 current \/ 0 desired\n/);

      const pps = await eventually(async () => {
        const out = await describe('pps');
        return describedConditions(out).some((r) => r[0] === 'ScalingActive') ? out : undefined;
      }, 30_000);
      assert.deepEqual(describedConditions(pps).find((r) => r[0] === 'ScalingActive'), [
        'ScalingActive',
        'False',
        'FailedGetPodsMetric',
        'the HPA was unable to compute the replica count: unable to get metric packets-per-second: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered',
      ]);

      const ghost = await eventually(async () => {
        const out = await describe('ghost');
        return describedConditions(out).some((r) => r[0] === 'AbleToScale') ? out : undefined;
      }, 30_000);
      assert.deepEqual(describedConditions(ghost).find((r) => r[0] === 'AbleToScale'), ['AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: deployments.apps "ghost" not found`]);
      const ghostEvent = describedEvents(ghost).find((r) => r[1] === 'FailedGetScale')!;
      assert.deepEqual([ghostEvent[0], ghostEvent[3], ghostEvent[4]], ['Warning', 'horizontal-pod-autoscaler', 'deployments.apps "ghost" not found']);
    });
  }
});

describe('an autoscaler scales a Deployment up under cpu load and back down (netns pods)', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ nodes: 1, extraArgs: ['--runtime', 'netns'] });
  });
  after(() => {
    c?.down(true);
  });

  test('up to maxReplicas while the pods are busy, down to minReplicas once they are idle', async () => {
    // Each pod burns cpu for 25 s after it starts, held to 200m by its limit: twice its 100m
    // request, four times the 50% target. Then it sleeps, using next to nothing.
    await c.k(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: busy}
spec:
  replicas: 1
  selector: {matchLabels: {app: busy}}
  template:
    metadata: {labels: {app: busy}}
    spec:
      containers:
      - name: burn
        image: busybox:1.36
        command: [sh, -c, "timeout 25 sh -c 'while :; do :; done'; exec sleep 3600"]
        resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}
`,
    });
    await eventually(async () => JSON.parse(await c.k(['get', 'deployment', 'busy', '-o', 'json'])).status?.readyReplicas === 1, 60_000);
    const start = Date.now();
    await c.k(['apply', '-f', '-'], {
      input:
        hpaManifest('busy', 'busy') +
        `  behavior:
    scaleDown: {stabilizationWindowSeconds: 5}
`,
    });

    const up = await eventually(async () => {
      const s = await hpaStatus(c, 'busy');
      return s.currentReplicas === 3 ? s : undefined;
    }, 60_000, 500);
    const upMs = Date.now() - start;
    assert.equal(up.desiredReplicas, 3);
    assert.ok(up.lastScaleTime);
    assert.deepEqual([cond(up, 'AbleToScale')?.status, cond(up, 'ScalingActive')?.status, cond(up, 'ScalingActive')?.reason], ['True', 'True', 'ValidMetricFound']);
    assert.equal(JSON.parse(await c.k(['get', 'deployment', 'busy', '-o', 'json'])).spec.replicas, 3);
    for (const bin of passClients) {
      const row = parseTable((await c.kubectl(['get', 'hpa', 'busy'], { bin })).stdout)[0];
      assert.deepEqual([row.REFERENCE, row.MINPODS, row.MAXPODS, row.REPLICAS], ['Deployment/busy', '1', '3', '3'], `kubectl ${clientVersion(bin)}`);
      assert.match(row.TARGETS, /^cpu: \d+%\/50%$/);
      const r = await c.kubectl(['describe', 'hpa', 'busy'], { bin });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\nReference:\s+Deployment\/busy\n/);
      assert.match(r.stdout, /\n\s+resource cpu on pods\s+\(as a percentage of request\):\s+(\d+% \(\d+m\)|<unknown>) \/ 50%\n/, `kubectl ${clientVersion(bin)}`);
      assert.match(r.stdout, /\nMax replicas:\s+3\n/);
      const rescales = describedEvents(r.stdout).filter((e) => e[1] === 'SuccessfulRescale');
      assert.ok(rescales.length >= 1, r.stdout);
      for (const e of rescales) {
        assert.deepEqual([e[0], e[3]], ['Normal', 'horizontal-pod-autoscaler']);
        assert.match(e[4], /^New size: [23]; reason: cpu resource utilization \(percentage of request\) above target$/);
      }
    }

    const down = await eventually(async () => {
      const s = await hpaStatus(c, 'busy');
      return s.currentReplicas === 1 && s.desiredReplicas === 1 ? s : undefined;
    }, 90_000, 500);
    const downMs = Date.now() - start - upMs;
    assert.deepEqual([cond(down, 'AbleToScale')?.status, cond(down, 'ScalingActive')?.reason], ['True', 'ValidMetricFound']);
    assert.ok((down.currentMetrics?.[0].resource?.current.averageUtilization ?? 100) < 50, JSON.stringify(down.currentMetrics));
    assert.equal(JSON.parse(await c.k(['get', 'deployment', 'busy', '-o', 'json'])).spec.replicas, 1);
    for (const bin of passClients) {
      assert.equal(parseTable((await c.kubectl(['get', 'hpa', 'busy'], { bin })).stdout)[0].REPLICAS, '1');
      const r = await c.kubectl(['describe', 'hpa', 'busy'], { bin });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\nDeployment pods:\s+1 current \/ 1 desired\n/, `kubectl ${clientVersion(bin)}`);
      const downs = describedEvents(r.stdout).filter((e) => e[1] === 'SuccessfulRescale' && e[4].endsWith('reason: All metrics below target'));
      // Each pod's load ends 25 s after it started: when the three started apart (a busy
      // machine), the autoscaler may step down through 2 before 1.
      const sizes = downs.map((e) => Number(/^New size: (\d+);/.exec(e[4])?.[1]));
      assert.ok(sizes.length >= 1 && sizes.length <= 2 && sizes.at(-1) === 1 && sizes.every((n, i) => n >= 1 && n <= 2 && (i === 0 || n < sizes[i - 1])), r.stdout);
      const conditions = describedConditions(r.stdout);
      assert.deepEqual(conditions.map((x) => x[0]), ['AbleToScale', 'ScalingActive', 'ScalingLimited']);
    }
    process.stdout.write(`# describe after scale-down:\n${(await c.k(['describe', 'hpa', 'busy'])).replace(/^/gm, '#   ')}\n`);
    process.stdout.write(`# measured: scale up 1→3 ${(upMs / 1000).toFixed(1)} s after the autoscaler was created, down 3→1 ${(downMs / 1000).toFixed(1)} s later\n`);
  });
});
