// The HorizontalPodAutoscaler API on a fake-runtime cluster, driven by the real kubectl 1.27 and
// 1.33: kubectl autoscale (1.27 creates autoscaling/v1, 1.33 autoscaling/v2; client and server
// dry runs), kubectl get hpa's columns, both served versions of one stored object, describe,
// explain, apply of a v2 manifest with behavior and its defaults, v1 patches, upstream's
// validation messages. The controller that acts on them is another file's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, parseTable, passClients, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  // The API as stored, without the autoscaler writing status meanwhile (hpa.test.ts has the
  // controller): kube-controller-manager's --controllers, as `kanzen up` takes it.
  c = await startCluster({ nodes: 1, extraArgs: ['--controllers', '*,-horizontal-pod-autoscaler'] });
});

after(() => {
  c?.down(true);
});

for (const bin of passClients) {
  const version = clientVersion(bin);
  const v = version.replace('.', '');
  const ns = `hpa-${v}`;
  const run = (args: string[], input?: string) => c.kubectl(args, { input, bin });
  const k = async (args: string[], input?: string): Promise<string> => {
    const r = await run(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  // kubectl autoscale tries autoscaling/v2 first from 1.29 on; older clients create autoscaling/v1.
  const createdAs = version === '1.27' ? 'autoscaling/v1' : 'autoscaling/v2';

  describe(`HorizontalPodAutoscaler API with kubectl ${version}`, () => {
    before(async () => {
      await k(['create', 'namespace', ns]);
      await k(['create', 'deployment', 'web', '--image=nginx', '-n', ns]);
    });

    test('kubectl autoscale: client and server dry runs store nothing, then the autoscaler is created', async () => {
      const client = await k(['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5', '-n', ns, '--dry-run=client', '-o', 'yaml']);
      assert.match(client, new RegExp(`^apiVersion: ${createdAs}\n`));
      const server = await k(['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5', '-n', ns, '--dry-run=server', '-o', 'json']);
      const dry = JSON.parse(server) as { apiVersion: string; metadata: { uid?: string; namespace: string }; spec: Record<string, unknown> };
      assert.equal(dry.apiVersion, createdAs);
      assert.equal(dry.metadata.namespace, ns);
      assert.ok(dry.metadata.uid);
      assert.equal((await run(['get', 'hpa', 'web', '-n', ns])).stderr, `Error from server (NotFound): horizontalpodautoscalers.autoscaling "web" not found\n`);

      assert.equal(await k(['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5', '-n', ns]), 'horizontalpodautoscaler.autoscaling/web autoscaled\n');
      await k(['autoscale', 'deployment', 'web', '--name=web-status', '--cpu-percent=50', '--max=5', '-n', ns]);
      const rows = parseTable(await k(['get', 'hpa', '-n', ns]));
      assert.deepEqual(Object.keys(rows[0]), ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
      assert.deepEqual(
        rows.map((r) => [r.NAME, r.REFERENCE, r.TARGETS, r.MINPODS, r.MAXPODS, r.REPLICAS]),
        [
          ['web', 'Deployment/web', 'cpu: <unknown>/50%', '1', '5', '0'],
          ['web-status', 'Deployment/web', 'cpu: <unknown>/50%', '1', '5', '0'],
        ],
      );
      // kubectl get all lists it (category all).
      assert.match(await k(['get', 'all', '-n', ns]), /horizontalpodautoscaler\.autoscaling\/web\s+Deployment\/web\s+cpu: <unknown>\/50%/);
    });

    test('one stored object, two versions: v2 metrics, v1 cpu target, managed fields in the version kubectl wrote', async () => {
      const v2 = JSON.parse(await k(['get', 'hpa', 'web', '-n', ns, '-o', 'json', '--show-managed-fields'])) as {
        apiVersion: string;
        metadata: { managedFields: { manager: string; apiVersion: string }[] };
        spec: { metrics: unknown[]; minReplicas: number };
        status: Record<string, unknown>;
      };
      assert.equal(v2.apiVersion, 'autoscaling/v2');
      assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
      assert.deepEqual(v2.status, { currentMetrics: null, desiredReplicas: 0 });
      assert.deepEqual(
        v2.metadata.managedFields.map((m) => [m.manager, m.apiVersion]),
        [['kubectl-autoscale', createdAs]],
      );
      // hpa.v1.autoscaling would not do: kubectl drops the version when it expands a short name.
      const v1 = JSON.parse(await k(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-n', ns, '-o', 'json'])) as { apiVersion: string; spec: unknown; status: unknown };
      assert.equal(v1.apiVersion, 'autoscaling/v1');
      assert.deepEqual(v1.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
      assert.deepEqual(v1.status, { currentReplicas: 0, desiredReplicas: 0 });
      // The v1 table is the same row.
      assert.equal(parseTable(await k(['get', 'horizontalpodautoscalers.v1.autoscaling', '-n', ns]))[0].TARGETS, 'cpu: <unknown>/50%');
    });

    test('a status written through the status subresource: TARGETS, describe and the v1 view show it', async () => {
      const status = {
        status: {
          currentReplicas: 2,
          desiredReplicas: 2,
          currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12, averageValue: '60m' } } }],
          conditions: [
            { type: 'AbleToScale', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
          ],
        },
      };
      await k(['patch', 'hpa', 'web-status', '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
      const row = parseTable(await k(['get', 'hpa', 'web-status', '-n', ns]))[0];
      assert.deepEqual([row.TARGETS, row.REPLICAS], ['cpu: 12%/50%', '2']);
      const out = await k(['describe', 'hpa', 'web-status', '-n', ns]);
      assert.match(out, /^ {2}resource cpu on pods {2}\(as a percentage of request\): {2}12% \(60m\) \/ 50%$/m);
      assert.match(out, /^Conditions:\n {2}Type\s+Status\s+Reason\s+Message\n {2}----\s+------\s+------\s+-------\n {2}AbleToScale\s+True\s+ReadyForNewScale\s+recommended size matches current size$/m);
      const v1 = JSON.parse(await k(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web-status', '-n', ns, '-o', 'json'])) as {
        status: unknown;
        metadata: { annotations: Record<string, string> };
      };
      assert.deepEqual(v1.status, { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 12 });
      assert.equal(
        v1.metadata.annotations['autoscaling.alpha.kubernetes.io/current-metrics'],
        '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":12,"currentAverageValue":"60m"}}]',
      );
      // A spec write keeps the status.
      await k(['patch', 'hpa', 'web-status', '-n', ns, '--type=merge', '-p', '{"spec":{"maxReplicas":4},"status":{"desiredReplicas":9}}']);
      assert.equal(await k(['get', 'hpa', 'web-status', '-n', ns, '-o', 'jsonpath={.spec.maxReplicas} {.status.desiredReplicas}']), '4 2');
      await k(['delete', 'hpa', 'web-status', '-n', ns]);
    });

    test('kubectl describe hpa', async () => {
      const out = await k(['describe', 'hpa', 'web', '-n', ns]);
      assert.match(out, /^Reference:\s+Deployment\/web$/m);
      assert.match(out, /^Metrics:\s+\( current \/ target \)$/m);
      assert.match(out, /^ {2}resource cpu on pods {2}\(as a percentage of request\): {2}<unknown> \/ 50%$/m);
      assert.match(out, /^Min replicas:\s+1$/m);
      assert.match(out, /^Max replicas:\s+5$/m);
      assert.match(out, /^Deployment pods:\s+0 current \/ 0 desired$/m);
    });

    test('a v1 merge patch changes the v2 metric; the target of the autoscaler serves its scale', async () => {
      await k(['patch', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-n', ns, '--type=merge', '-p', '{"spec":{"targetCPUUtilizationPercentage":65,"maxReplicas":7}}']);
      assert.equal(await k(['get', 'hpa', 'web', '-n', ns, '-o', 'jsonpath={.spec.metrics[0].resource.target.averageUtilization} {.spec.maxReplicas}']), '65 7');
      const scale = JSON.parse(await k(['get', '--raw', `/apis/apps/v1/namespaces/${ns}/deployments/web/scale`])) as { kind: string; status: { selector: string } };
      assert.deepEqual([scale.kind, scale.status.selector], ['Scale', 'app=web']);
    });

    test('apply of a v2 manifest: behavior defaults for both directions, other metrics in v1 annotations', async () => {
      await k(['apply', '-f', '-'], `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: memory
      target:
        type: AverageValue
        averageValue: 100Mi
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 60
`);
      const behavior = JSON.parse(await k(['get', 'hpa', 'api', '-n', ns, '-o', 'jsonpath={.spec.behavior}']));
      assert.deepEqual(behavior, {
        scaleDown: { policies: [{ periodSeconds: 15, type: 'Percent', value: 100 }], selectPolicy: 'Max', stabilizationWindowSeconds: 60 },
        scaleUp: {
          policies: [
            { periodSeconds: 15, type: 'Pods', value: 4 },
            { periodSeconds: 15, type: 'Percent', value: 100 },
          ],
          selectPolicy: 'Max',
          stabilizationWindowSeconds: 0,
        },
      });
      const row = parseTable(await k(['get', 'hpa', '-n', ns])).find((r) => r.NAME === 'api');
      assert.deepEqual([row?.TARGETS, row?.MINPODS, row?.MAXPODS], ['memory: <unknown>/100Mi', '2', '10']);
      const v1 = JSON.parse(await k(['get', 'horizontalpodautoscalers.v1.autoscaling', 'api', '-n', ns, '-o', 'json'])) as {
        spec: Record<string, unknown>;
        metadata: { annotations: Record<string, string> };
      };
      assert.equal(v1.spec.targetCPUUtilizationPercentage, undefined);
      assert.equal(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'], '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]');
      assert.match(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/behavior'], /^\{"ScaleUp":\{"StabilizationWindowSeconds":0,"SelectPolicy":"Max",/);
      // A second apply of the same manifest changes nothing.
      assert.equal(await k(['apply', '-f', '-', '--dry-run=server'], `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
  namespace: ${ns}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics: [{type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}}]
  behavior: {scaleDown: {stabilizationWindowSeconds: 60}}
`), 'horizontalpodautoscaler.autoscaling/api unchanged (server dry run)\n');
    });

    test('server-side apply in v1, then the same manager in v2', async () => {
      const v1 = `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: ssa, namespace: ${ns}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 4
  targetCPUUtilizationPercentage: 40
`;
      assert.equal(await k(['apply', '--server-side', '-f', '-'], v1), 'horizontalpodautoscaler.autoscaling/ssa serverside-applied\n');
      assert.equal(await k(['get', 'hpa', 'ssa', '-n', ns, '-o', 'jsonpath={.metadata.managedFields[0].apiVersion}', '--show-managed-fields']), 'autoscaling/v1');
      const v2 = v1
        .replace('autoscaling/v1', 'autoscaling/v2')
        .replace('maxReplicas: 4', 'maxReplicas: 6')
        .replace('targetCPUUtilizationPercentage: 40', 'metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 40}}}]');
      await k(['apply', '--server-side', '-f', '-'], v2);
      assert.equal(
        await k(['get', 'hpa', 'ssa', '-n', ns, '-o', 'jsonpath={.spec.scaleTargetRef.name} {.spec.maxReplicas} {.metadata.managedFields[0].apiVersion}', '--show-managed-fields']),
        'web 6 autoscaling/v2',
      );
      await k(['delete', 'hpa', 'ssa', '-n', ns]);
    });

    test('validation messages as upstream writes them', async () => {
      const bad = await run(['apply', '-f', '-'], `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: bad
  namespace: ${ns}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 2
  behavior:
    scaleUp:
      policies: [{type: Pods, value: 0, periodSeconds: 1801}]
`);
      assert.notEqual(bad.code, 0);
      assert.equal(
        bad.stderr,
        'The HorizontalPodAutoscaler "bad" is invalid: \n' +
          '* spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`\n' +
          '* spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero\n' +
          '* spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800\n',
      );
    });

    test('kubectl explain hpa.spec.behavior', async () => {
      const out = await k(['explain', 'hpa.spec.behavior']);
      assert.match(out, /^KIND:\s+HorizontalPodAutoscaler$/m);
      assert.match(out, /^VERSION:\s+v2$/m);
      assert.match(out, /^FIELD: behavior <HorizontalPodAutoscalerBehavior>$/m);
      assert.match(out, /^ {2}scaleDown\t<HPAScalingRules>$/m);
      assert.match(out, /^ {2}scaleUp\t<HPAScalingRules>$/m);
      const v1 = await k(['explain', 'hpa.spec.targetCPUUtilizationPercentage', '--api-version=autoscaling/v1']);
      assert.match(v1, /^FIELD: targetCPUUtilizationPercentage <integer>$/m);
    });

    test('delete', async () => {
      assert.equal(await k(['delete', 'hpa', 'web', 'api', '-n', ns]), 'horizontalpodautoscaler.autoscaling "web" deleted\nhorizontalpodautoscaler.autoscaling "api" deleted\n');
      assert.equal(await k(['get', 'hpa', '-n', ns]), '');
    });
  });
}
