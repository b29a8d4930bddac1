// Node capacity and the scheduler's NodeResourcesFit with the real kubectl (fake runtime, no
// root): `kanzen up --max-pods 3` gives each node allocatable pods 3 as the kubelet's
// --max-pods does; a Deployment of 8 on 2 such nodes runs 6 and leaves 2 Pending with
// upstream's "Too many pods"; a pod requesting more CPU than any node has stays Pending with
// "Insufficient cpu", as on kind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, parseTable, startCluster, type TestCluster } from './harness.js';

let c: TestCluster;

before(async () => {
  c = await startCluster({ nodes: 2, extraArgs: ['--max-pods', '3'] });
});

after(() => {
  c?.down(true);
});

describe('node capacity and NodeResourcesFit', () => {
  test('--max-pods sets allocatable pods; pods past it stay Pending with Too many pods', async () => {
    const pods = await c.k(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.capacity.pods} {.status.allocatable.pods}{"\\n"}{end}']);
    assert.deepEqual(pods.trim().split('\n'), ['3 3', '3 3']);
    // The cluster DNS pods take room too: count what is left.
    const placed = parseTable(await c.k(['get', 'pods', '-A', '-o', 'wide'])).filter((r) => r.NODE !== '<none>').length;
    await c.k(['create', 'deployment', 'many', '--image=nginx', '--replicas=8']);
    const rows = await eventually(async () => {
      const r = parseTable(await c.k(['get', 'pods', '-l', 'app=many']));
      return r.length === 8 && r.filter((p) => p.STATUS === 'Running').length === 6 - placed && r;
    }, 60_000);
    const pending = rows.filter((p) => p.STATUS === 'Pending').map((p) => p.NAME);
    assert.equal(pending.length, 8 - (6 - placed));
    const message = await eventually(async () => {
      const m = await c.k(['get', 'pod', pending[0], '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}']);
      return m || undefined;
    });
    assert.equal(message, '0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
    await c.k(['delete', 'deployment', 'many', '--wait']);
    await eventually(async () => !(await c.k(['get', 'pods', '-l', 'app=many', '-o', 'name'])).trim(), 60_000);
  });

  test('a pod requesting more CPU than a node has stays Pending with Insufficient cpu (FailedScheduling event)', async () => {
    await c.k(['run', 'hungry', '--image=nginx', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'hungry', image: 'nginx', resources: { requests: { cpu: '4000' } } }] } })]);
    const event = await eventually(async () => {
      const out = await c.k(['get', 'events', '--field-selector', 'involvedObject.name=hungry,reason=FailedScheduling', '-o', 'jsonpath={.items[0].message}']);
      return out || undefined;
    }, 30_000);
    assert.equal(event, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
    assert.equal(await c.k(['get', 'pod', 'hungry', '-o', 'jsonpath={.status.phase}']), 'Pending');
  });
});
