// `kubectl debug` with the real kubectl 1.27 and 1.33: an ephemeral container added to a
// running pod through pods/ephemeralcontainers, sharing its target's PID namespace
// (--target), its status, events and logs; the API's refusals with upstream's messages; and
// `kubectl debug node/<node>`, a pod in the node's network namespace with the node's root at
// /host. The shells are fed through stdin (as the run-interactive tests do). Needs root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { eventually, kubectl127Bin, kubectl133Bin, kubectlOnTty, startCluster, type TestCluster } from './harness.js';
import type { ContainerStatus, Event, Pod } from '../api/types.js';

const isRoot = process.getuid?.() === 0;
const clients = [kubectl127Bin, kubectl133Bin].filter((b) => fs.existsSync(b));
const version = (bin: string) => bin.replace(/^.*kubectl\./, '');
let c: TestCluster;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 1, extraArgs: ['--runtime', 'netns'] });
  await c.k(['run', 'web', '--image=nginx']);
  await eventually(async () => (await c.k(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])) === 'Running', 60_000);
});

after(() => {
  c?.down(true);
});

async function getPod(name: string): Promise<Pod> {
  return JSON.parse(await c.k(['get', 'pod', name, '-o', 'json'])) as Pod;
}

/** The name kubectl debug chose ("Defaulting debug container name to debugger-xxxxx."). */
function debugContainerName(stdout: string): string {
  const m = /Defaulting debug container name to (debugger-[a-z0-9]{5})\./.exec(stdout);
  assert.ok(m, stdout);
  return m[1];
}

describe('kubectl debug', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test('discovery lists pods/ephemeralcontainers with get, patch and update', async () => {
    const list = JSON.parse(await c.k(['get', '--raw', '/api/v1'])) as { resources: { name: string; kind: string; verbs: string[] }[] };
    const sub = list.resources.find((r) => r.name === 'pods/ephemeralcontainers');
    assert.deepEqual(sub && { kind: sub.kind, verbs: sub.verbs }, { kind: 'Pod', verbs: ['get', 'patch', 'update'] });
  });

  for (const bin of clients) {
    test(`debug -i --target (kubectl ${version(bin)}): the debug shell sees the target's processes; status, events and logs`, async () => {
      const r = await c.kubectl(['debug', '-i', 'web', '--image=busybox', '--target=web', '--', 'sh'], { bin, input: 'ps -o pid,args; echo "my pid $$"; exit 0\n', timeoutMs: 90_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr + r.stdout, /Targeting container "web"/);
      const name = debugContainerName(r.stdout);
      // The target's main process is PID 1 of the shared namespace; the debug shell is not.
      assert.match(r.stdout, /^\s*1 .*nginx/m, r.stdout);
      const self = /my pid (\d+)/.exec(r.stdout)?.[1];
      assert.ok(self && self !== '1', r.stdout);

      const pod = await eventually(async () => {
        const p = await getPod('web');
        const s = p.status?.ephemeralContainerStatuses?.find((x) => x.name === name);
        return s?.state?.terminated ? p : undefined;
      });
      assert.deepEqual(
        pod.spec.ephemeralContainers?.find((x) => x.name === name),
        {
          name,
          image: 'busybox',
          command: ['sh'],
          imagePullPolicy: 'Always',
          resources: {},
          stdin: true,
          targetContainerName: 'web',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      );
      const s = pod.status!.ephemeralContainerStatuses!.find((x) => x.name === name) as ContainerStatus;
      assert.equal(s.ready, false);
      assert.equal(s.restartCount, 0);
      assert.equal(s.started, undefined);
      assert.equal(s.image, 'docker.io/library/busybox:latest');
      assert.match(s.imageID, /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
      assert.equal(s.state?.terminated?.exitCode, 0);
      assert.equal(s.state?.terminated?.reason, 'Completed');
      assert.equal(s.state?.terminated?.containerID, s.containerID);
      assert.equal(pod.status?.phase, 'Running');
      assert.equal(pod.status?.containerStatuses?.[0].ready, true);
      // jsonpath, as users read it.
      assert.equal(await c.k(['get', 'pod', 'web', '-o', `jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${name}")].state.terminated.reason}`]), 'Completed');

      const events = (JSON.parse(await c.k(['get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'json'])) as { items: Event[] }).items.map((e) => e.message);
      assert.ok(events.includes(`Created container: ${name}`), events.join('\n'));
      assert.ok(events.includes(`Started container ${name}`), events.join('\n'));
      assert.match(await c.k(['logs', 'web', '-c', name]), /my pid \d+/);
    });
  }

  for (const bin of clients) {
    test(`debug -it on a terminal (kubectl ${version(bin)}): the shell runs on a tty in the target's PID namespace`, async () => {
      const r = await kubectlOnTty(c, bin, ['debug', '-it', 'web', '--image=busybox', '--target=web', '--', 'sh'], 'tty; ps -o pid,args | grep "^ *1 "; exit 0\r');
      assert.match(r.stdout, /^\/dev\/pts\/\d+\r?$/m, r.stdout);
      assert.match(r.stdout, /^\s*1 .*nginx/m, r.stdout);
      assert.match(r.stdout, /Session ended, the ephemeral container will not be restarted/);
    });
  }

  test('an ephemeral container is never restarted: it stays terminated', async () => {
    const r = await c.kubectl(['debug', '-i', 'web', '--image=busybox', '--', 'sh', '-c', 'exit 3'], { timeoutMs: 90_000 });
    const name = debugContainerName(r.stdout);
    const statusOf = async (n: string) => (await getPod('web')).status?.ephemeralContainerStatuses?.find((x) => x.name === n);
    const first = await eventually(async () => ((await statusOf(name))?.state?.terminated ? statusOf(name) : undefined));
    assert.equal(first.state?.terminated?.exitCode, 3);
    assert.equal(first.state?.terminated?.reason, 'Error');
    // The kubelet has synced the pod again once a later debug container has run: the first is as it was.
    const later = debugContainerName((await c.kubectl(['debug', '-i', 'web', '--image=busybox', '--', 'true'], { timeoutMs: 90_000 })).stdout);
    await eventually(async () => (await statusOf(later))?.state?.terminated);
    assert.deepEqual(await statusOf(name), first);
    const events = (JSON.parse(await c.k(['get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'json'])) as { items: Event[] }).items;
    // A repeated event would be counted on the same Event (the recorder's aggregation).
    assert.equal(events.filter((e) => e.message === `Started container ${name}`).reduce((n, e) => n + (e.count ?? 1), 0), 1);
  });

  for (const bin of clients) {
    test(`a debug container named like an existing container is refused (kubectl ${version(bin)})`, async () => {
      const r = await c.kubectl(['debug', 'web', '--image=busybox', '-c', 'web', '--', 'true'], { bin });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^The Pod "web" is invalid: spec\.ephemeralContainers\[\d+\]\.name: Duplicate value: "web"$/m);
    });
  }

  test('existing ephemeral containers may not be changed or removed (422 with upstream\'s message)', async () => {
    const pod = await getPod('web');
    const existing = pod.spec.ephemeralContainers![0].name;
    const change = await c.kubectl(
      ['patch', 'pod', 'web', '--subresource=ephemeralcontainers', '--type=strategic', '-p', JSON.stringify({ spec: { ephemeralContainers: [{ name: existing, image: 'alpine' }] } })],
      { bin: kubectl133Bin },
    );
    assert.equal(change.code, 1);
    assert.match(change.stderr, new RegExp(`The Pod "web" is invalid: spec\\.ephemeralContainers: Forbidden: existing ephemeral containers "${existing}" may not be changed\\n`));
    const remove = await c.kubectl(['patch', 'pod', 'web', '--subresource=ephemeralcontainers', '--type=merge', '-p', '{"spec":{"ephemeralContainers":[]}}'], { bin: kubectl133Bin });
    assert.match(remove.stderr, new RegExp(`spec\\.ephemeralContainers: Forbidden: existing ephemeral containers "${existing}" may not be removed`));
    // The status code is 422 Invalid, and only spec.ephemeralContainers is taken from a write.
    const t = c.transport();
    const raw = await t.request('PATCH', '/api/v1/namespaces/default/pods/web/ephemeralcontainers', JSON.stringify({ spec: { ephemeralContainers: [] } }), {
      'Content-Type': 'application/merge-patch+json',
    });
    assert.equal(raw.status, 422);
    const relabel = await t.request('PATCH', '/api/v1/namespaces/default/pods/web/ephemeralcontainers', JSON.stringify({ metadata: { labels: { run: 'other' } }, spec: { nodeName: 'elsewhere' } }), {
      'Content-Type': 'application/merge-patch+json',
    });
    assert.equal(relabel.status, 200);
    const after = await getPod('web');
    assert.equal(after.metadata.labels?.run, 'web');
    assert.equal(after.spec.nodeName, 'node-1');
    // GET answers the Pod; PUT of it with one more ephemeral container adds that one.
    const got = await t.request('GET', '/api/v1/namespaces/default/pods/web/ephemeralcontainers');
    assert.equal(got.status, 200);
    const viaSub = JSON.parse(got.body.toString()) as Pod;
    assert.equal(viaSub.kind, 'Pod');
    viaSub.spec.ephemeralContainers = [...(viaSub.spec.ephemeralContainers ?? []), { name: 'put-added', image: 'busybox', command: ['true'] }];
    const put = await t.request('PUT', '/api/v1/namespaces/default/pods/web/ephemeralcontainers', JSON.stringify(viaSub), { 'Content-Type': 'application/json' });
    assert.equal(put.status, 200, put.body.toString());
    await eventually(async () => (await getPod('web')).status?.ephemeralContainerStatuses?.find((x) => x.name === 'put-added')?.state?.terminated);
  });

  for (const bin of clients) {
    test(`debug node/node-1 (kubectl ${version(bin)}): a shell in the node's network namespace, the node's root at /host, copy-on-write`, async () => {
      const nodeIP = await c.k(['get', 'node', 'node-1', '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}']);
      const marker = `kz-debug-${randomBytes(4).toString('hex')}`;
      const r = await c.kubectl(['debug', 'node/node-1', '-i', '--image=busybox', '--', 'sh'], {
        bin,
        input: `ip -o -4 addr show dev eth0; ls /host/etc/passwd; echo x > /host/tmp/${marker} && cat /host/tmp/${marker}; echo "agents $(ps -o args | grep -c '[n]ode-agent-main.js --name ${c.name} ')"; exit 0\n`,
        timeoutMs: 90_000,
      });
      assert.equal(r.code, 0, r.stderr);
      const podName = /Creating debugging pod (node-debugger-node-1-[a-z0-9]{5}) with container debugger on node node-1\./.exec(r.stdout)?.[1];
      assert.ok(podName, r.stdout);
      assert.match(r.stdout, new RegExp(`eth0\\s+inet ${nodeIP.replaceAll('.', '\\.')}/`), r.stdout);
      assert.match(r.stdout, /^\/host\/etc\/passwd$/m);
      assert.match(r.stdout, /^x$/m);
      // hostPID: the node's processes (its own node agent among them) are in sight.
      assert.match(r.stdout, /^agents 1$/m);
      // What the shell wrote under /host stayed in the pod, not on this machine.
      assert.equal(fs.existsSync(`/tmp/${marker}`), false);
      const pod = await getPod(podName);
      assert.equal(pod.spec.hostNetwork, true);
      assert.equal(pod.spec.hostPID, true);
      assert.equal(pod.status?.podIP, nodeIP);
      await c.k(['delete', 'pod', podName, '--wait=false']);
    });
  }
});
