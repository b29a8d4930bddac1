// The resource metrics API with the real kubectl 1.27 and 1.33 on a fake-runtime cluster:
// APIServices as a cluster with metrics-server lists them, and metrics.k8s.io in discovery
// (which is how kubectl top finds the Metrics API).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientVersion, parseTable, passClients, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  c = await startCluster({ nodes: 2 });
});

after(() => {
  c?.down(true);
});

for (const bin of passClients) {
  describe(`kubectl ${clientVersion(bin)}`, () => {
    const kk = async (args: string[]) => {
      const r = await c.kubectl(args, { bin });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };

    test('kubectl get apiservices: Local built-in groups and metrics-server\'s', async () => {
      const out = await kk(['get', 'apiservices']);
      assert.deepEqual(out.split('\n')[0].split(/\s{2,}/), ['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
      const rows = parseTable(out);
      const row = (name: string) => rows.find((r) => r.NAME === name);
      assert.deepEqual([row('v1.apps')?.SERVICE, row('v1.apps')?.AVAILABLE], ['Local', 'True']);
      assert.deepEqual([row('v1.')?.SERVICE, row('v1.apiregistration.k8s.io')?.SERVICE], ['Local', 'Local']);
      assert.deepEqual([row('v1beta1.metrics.k8s.io')?.SERVICE, row('v1beta1.metrics.k8s.io')?.AVAILABLE], ['kube-system/metrics-server', 'True']);
      const svc = JSON.parse(await kk(['get', 'apiservice', 'v1beta1.metrics.k8s.io', '-o', 'json']));
      assert.equal(svc.spec.groupPriorityMinimum, 100);
      assert.deepEqual(
        svc.status.conditions.map((x: { type: string; status: string; reason: string; message: string }) => [x.type, x.status, x.reason, x.message]),
        [['Available', 'True', 'Passed', 'all checks passed']],
      );
    });

    test('metrics.k8s.io in discovery: nodes and pods, get and list', async () => {
      const out = await kk(['api-resources', '--api-group=metrics.k8s.io']);
      const rows = parseTable(out);
      assert.deepEqual(rows.map((r) => [r.NAME, r.APIVERSION, r.NAMESPACED, r.KIND]), [
        ['nodes', 'metrics.k8s.io/v1beta1', 'false', 'NodeMetrics'],
        ['pods', 'metrics.k8s.io/v1beta1', 'true', 'PodMetrics'],
      ]);
      const groups = JSON.parse(await kk(['get', '--raw', '/apis'])).groups.map((g: { name: string }) => g.name);
      assert.equal(groups[0], 'apiregistration.k8s.io');
      assert.equal(groups.at(-1), 'metrics.k8s.io');
      const err = await c.kubectl(['create', '-f', '-'], {
        bin,
        input: JSON.stringify({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'wrong' }, spec: { group: 'x.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1 } }),
      });
      assert.notEqual(err.code, 0);
      assert.match(err.stderr, /metadata.name: Invalid value: "wrong": must be `spec.version\+"."\+spec.group`: "v1.x.io"/);
    });
  });
}
