// The resource metrics API with the real kubectl 1.27 and 1.33 on a fake-runtime cluster:
// APIServices as a cluster with metrics-server lists them, metrics.k8s.io in discovery (which is
// how kubectl top finds the Metrics API), and kubectl top's tables. The fake runtime's containers
// run nothing: their usage is a fixed stand-in (1m CPU, 4Mi memory each, node/resource-usage.ts),
// so these tests check the shape and the arithmetic, not a measurement (tutorial-netns measures).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { clientVersion, eventually, parseTable, passClients, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  // A resolution of an hour: every window these tests see comes from the reads a starting pod or
  // joining node triggers (apiserver/metrics/scrape-triggers.ts) and their quick second reading.
  process.env.KANZEN_METRIC_RESOLUTION_MS = '3600000';
  c = await startCluster({ nodes: 2 });
  await c.k(['create', 'namespace', 'top']);
  await c.k(['-n', 'top', 'create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
  await c.k(['-n', 'top', 'run', 'solo', '--image=nginx', '--labels=tier=solo']);
  await eventually(async () => {
    const pods = JSON.parse(await c.k(['get', 'podmetrics', '-n', 'top', '-o', 'json'])).items;
    return pods.length === 3;
  }, 60_000);
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
      assert.deepEqual(out.split('\n')[0].trim().split(/\s{2,}/), ['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
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

    test('metrics-server\'s Service: no selector, its one endpoint the API server that serves the group', async () => {
      const svc = JSON.parse(await kk(['get', 'svc', '-n', 'kube-system', 'metrics-server', '-o', 'json']));
      assert.equal(svc.spec.selector, undefined);
      assert.deepEqual(svc.spec.ports.map((p: { name: string; port: number }) => [p.name, p.port]), [['https', 443]]);
      const row = parseTable(await kk(['get', 'svc', '-n', 'kube-system', 'metrics-server']))[0];
      assert.deepEqual([row.TYPE, row['PORT(S)']], ['ClusterIP', '443/TCP']);
      const kubernetes = JSON.parse(await kk(['get', 'endpointslice', '-n', 'default', 'kubernetes', '-o', 'json']));
      const slices = JSON.parse(await kk(['get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=metrics-server', '-o', 'json'])).items;
      assert.deepEqual(slices.map((s: { endpoints: unknown }) => s.endpoints), [kubernetes.endpoints]);
    });

    test('the APIService drives the group: deleted, metrics.k8s.io leaves discovery and kubectl top has no Metrics API; created again, it is back', async () => {
      const saved = JSON.parse(await kk(['get', 'apiservice', 'v1beta1.metrics.k8s.io', '-o', 'json']));
      // A kubectl without cached discovery, as against a cluster that never had metrics-server.
      const fresh = () => `--cache-dir=${mkdtempSync(path.join(c.home, 'kubectl-cache-'))}`;
      await kk(['delete', 'apiservice', 'v1beta1.metrics.k8s.io']);
      await eventually(async () => !JSON.parse(await kk(['get', '--raw', '/apis'])).groups.some((g: { name: string }) => g.name === 'metrics.k8s.io'), 10_000);
      const top = await c.kubectl(['top', 'pods', '-n', 'top', fresh()], { bin });
      assert.notEqual(top.code, 0);
      assert.equal(top.stderr.trim(), 'error: Metrics API not available');
      const raw = await c.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes'], { bin });
      assert.match(raw.stderr, /NotFound/);

      delete saved.metadata.resourceVersion;
      delete saved.metadata.uid;
      delete saved.metadata.creationTimestamp;
      delete saved.status;
      await c.kubectl(['create', '-f', '-'], { bin, input: JSON.stringify(saved) }).then((r) => assert.equal(r.code, 0, r.stderr));
      await eventually(async () => {
        const r = await c.kubectl(['top', 'pods', '-n', 'top', fresh()], { bin });
        return r.code === 0 && parseTable(r.stdout).length === 3;
      }, 10_000);
      const row = parseTable(await kk(['get', 'apiservices'])).find((r) => r.NAME === 'v1beta1.metrics.k8s.io');
      assert.deepEqual([row?.SERVICE, row?.AVAILABLE], ['kube-system/metrics-server', 'True']);
    });

    test('an APIService whose Service does not listen on its port is not Available: 503 for the group, upstream\'s reason', async () => {
      await kk(['patch', 'apiservice', 'v1beta1.metrics.k8s.io', '--type=merge', '-p', '{"spec":{"service":{"port":8443}}}']);
      try {
        await eventually(async () => parseTable(await kk(['get', 'apiservices'])).find((r) => r.NAME === 'v1beta1.metrics.k8s.io')?.AVAILABLE === 'False (ServicePortError)', 10_000);
        const cond = JSON.parse(await kk(['get', 'apiservice', 'v1beta1.metrics.k8s.io', '-o', 'json'])).status.conditions[0];
        assert.equal(cond.message, 'service/metrics-server in "kube-system" is not listening on port 8443');
        const top = await c.kubectl(['top', 'nodes'], { bin });
        assert.notEqual(top.code, 0);
        assert.match(top.stderr, /the server is currently unable to handle the request \(get nodes\.metrics\.k8s\.io\)/);
      } finally {
        await kk(['patch', 'apiservice', 'v1beta1.metrics.k8s.io', '--type=merge', '-p', '{"spec":{"service":{"port":443}}}']);
      }
      await eventually(async () => (await c.kubectl(['top', 'nodes'], { bin })).code === 0, 10_000);
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

    test('kubectl top pods, --containers, -l, -A and --sort-by=cpu', async () => {
      const out = await kk(['top', 'pods', '-n', 'top']);
      assert.deepEqual(out.split('\n')[0].trim().split(/\s{2,}/), ['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
      const rows = parseTable(out);
      assert.equal(rows.length, 3);
      for (const r of rows) assert.deepEqual([r['CPU(cores)'], r['MEMORY(bytes)']], ['1m', '4Mi']);
      const containers = parseTable(await kk(['top', 'pods', '-n', 'top', '--containers']));
      assert.deepEqual(Object.keys(containers[0]), ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
      assert.deepEqual(containers.find((r) => r.POD === 'solo'), { POD: 'solo', NAME: 'solo', 'CPU(cores)': '1m', 'MEMORY(bytes)': '4Mi' });
      assert.deepEqual(parseTable(await kk(['top', 'pods', '-n', 'top', '-l', 'tier=solo'])).map((r) => r.NAME), ['solo']);
      const all = parseTable(await kk(['top', 'pods', '-A', '--sort-by=cpu']));
      assert.deepEqual(Object.keys(all[0]), ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
      assert.ok(all.filter((r) => r.NAMESPACE === 'top').length === 3);
      const pod = JSON.parse(await kk(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/top/pods/solo']));
      assert.equal(pod.kind, 'PodMetrics');
      assert.match(pod.containers[0].usage.cpu, /^\d+[nm]?$/);
      assert.match(pod.window, /^\d+(\.\d+)?m?s$/);
    });

    test('a new pod has numbers soon after it starts: read when it runs, and again a second later', async () => {
      // Kept: node readings are refreshed only by reads a start triggers here (an hour's resolution).
      const name = `fresh-${clientVersion(bin).replace('.', '')}`;
      await kk(['-n', 'default', 'run', name, '--image=nginx']);
      await kk(['-n', 'default', 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s']);
      const ready = Date.now();
      const rows = await eventually(async () => {
        const r = await c.kubectl(['-n', 'default', 'top', 'pod', name, '--no-headers'], { bin });
        return r.code === 0 && r.stdout.trim() ? r.stdout : false;
      }, 30_000);
      console.log(`kubectl ${clientVersion(bin)}: first numbers for a new pod ${Date.now() - ready} ms after it was Ready`);
      assert.deepEqual(String(rows).trim().split(/\s+/), [name, '1m', '4Mi']);
    });

    test('kubectl get podmetrics / nodes.metrics.k8s.io: metrics-server\'s columns NAME CPU MEMORY WINDOW', async () => {
      const pods = await kk(['get', 'podmetrics', '-n', 'top', '-l', 'tier=solo']);
      assert.deepEqual(pods.split('\n')[0].trim().split(/\s{2,}/), ['NAME', 'CPU', 'MEMORY', 'WINDOW']);
      const [solo] = parseTable(pods);
      assert.equal(solo.NAME, 'solo');
      assert.match(solo.CPU, /^\d+[nm]?$/);
      assert.equal(solo.MEMORY, '4Mi');
      assert.match(solo.WINDOW, /^[\d.]+m?s$/);
      const nodes = await kk(['get', 'nodes.metrics.k8s.io']);
      assert.deepEqual(nodes.split('\n')[0].trim().split(/\s{2,}/), ['NAME', 'CPU', 'MEMORY', 'WINDOW']);
      assert.deepEqual(parseTable(nodes).map((r) => r.NAME).sort(), ['node-1', 'node-2']);
      const all = parseTable(await kk(['get', 'podmetrics', '-A']));
      assert.deepEqual(Object.keys(all[0]), ['NAMESPACE', 'NAME', 'CPU', 'MEMORY', 'WINDOW']);
    });

    test('kubectl top pod --containers --sum, --sort-by=memory, --no-headers', async () => {
      const sum = (await kk(['top', 'pod', '-n', 'top', '--sum'])).trimEnd().split('\n');
      // The sum line under a rule of underscores: n pods of 1m and 4Mi (one container each).
      const n = sum.length - 3;
      assert.ok(n >= 3);
      assert.match(sum.at(-2)!, /^\s+_+\s+_+\s*$/);
      assert.deepEqual(sum.at(-1)!.trim().split(/\s+/), [`${n}m`, `${4 * n}Mi`]);
      const containers = (await kk(['top', 'pod', '-n', 'top', '--containers', '--sum', '--no-headers'])).trimEnd().split('\n');
      assert.ok(!containers[0].includes('POD'));
      const m = containers.length - 2;
      assert.deepEqual(containers.at(-1)!.trim().split(/\s+/), [`${m}m`, `${4 * m}Mi`]);
      const sorted = parseTable(await kk(['top', 'pod', '-A', '--sort-by=memory']));
      const bytes = sorted.map((r) => Number(r['MEMORY(bytes)'].replace('Mi', '')));
      assert.deepEqual(bytes, [...bytes].sort((a, b) => b - a));
      const noHeaders = (await kk(['top', 'node', '--no-headers'])).trim().split('\n');
      assert.deepEqual(noHeaders.map((l) => l.split(/\s+/)[0]).sort(), ['node-1', 'node-2']);
    });

    test('kubectl top nodes: each node\'s pods\' usage against its allocatable', async () => {
      const out = await kk(['top', 'nodes']);
      // kubectl 1.33 writes the percentages' headers CPU(%) and MEMORY(%); 1.27 CPU% and MEMORY%.
      const pct = clientVersion(bin) === '1.27' ? ['CPU%', 'MEMORY%'] : ['CPU(%)', 'MEMORY(%)'];
      assert.deepEqual(out.split('\n')[0].trim().split(/\s{2,}/), ['NAME', 'CPU(cores)', pct[0], 'MEMORY(bytes)', pct[1]]);
      const rows = parseTable(out);
      assert.deepEqual(rows.map((r) => r.NAME).sort(), ['node-1', 'node-2']);
      const list = JSON.parse(await kk(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes']));
      const perNode = new Map<string, number>();
      const pods = JSON.parse(await kk(['get', 'pods', '-A', '-o', 'json'])).items as { spec: { nodeName: string; containers: unknown[] }; status: { phase: string } }[];
      for (const p of pods) if (p.status.phase === 'Running') perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + p.spec.containers.length);
      for (const n of list.items) {
        // The node's usage is the sum of its containers' stand-in usage: 4Mi each.
        assert.equal(n.usage.memory, `${4 * (perNode.get(n.metadata.name) ?? 0)}Mi`, n.metadata.name);
      }
    });
  });
}
