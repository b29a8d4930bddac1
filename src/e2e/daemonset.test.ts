// DaemonSets on a three-node fake-runtime cluster, driven by the real kubectl 1.27 and 1.33:
// one pod per node, a nodeSelector and an untolerated taint keep pods off nodes, `set image`
// rolls node by node (never more than one node without an available pod, each new pod ready
// before the next node's old pod goes), `rollout status/history/undo` over
// ControllerRevisions, and deleting the DaemonSet removes its pods and revisions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, clientVersion, parseTable, passClients, startCluster, writeTemp, type RunResult, type TestCluster } from './harness.js';

let c: TestCluster;
let dir: string;

before(async () => {
  c = await startCluster({ nodes: 3, extraArgs: ['--runtime', 'fake'] });
  dir = fs.mkdtempSync(path.join(c.home, 'manifests-'));
});

after(() => {
  c?.down(true);
});

const nodes = ['node-1', 'node-2', 'node-3'];

function daemonSetManifest(name: string, ns: string, image: string, extraPodSpec = ''): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: agent
        image: ${image}
${extraPodSpec}`;
}

interface PodInfo {
  name: string;
  node: string;
  /** The node the pod is bound to or, before binding, pinned to by its node-name affinity. */
  target: string;
  image: string;
  ready: boolean;
  terminating: boolean;
}

/** The namespace's pods of app=name, from the API (kubectl get -o json). */
async function pods(k: (args: string[]) => Promise<string>, ns: string, name: string): Promise<PodInfo[]> {
  const list = JSON.parse(await k(['get', 'pods', '-n', ns, '-l', `app=${name}`, '-o', 'json'])) as { items: WatchedPod[] };
  return list.items.map(podInfo);
}

interface WatchedPod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: {
    nodeName?: string;
    containers: { image: string }[];
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: { matchFields?: { values?: string[] }[] }[] } } };
  };
  status?: { conditions?: { type: string; status: string }[] };
}

function podInfo(p: WatchedPod): PodInfo {
  return {
    name: p.metadata.name,
    node: p.spec.nodeName ?? '',
    target: p.spec.nodeName ?? p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0]?.values?.[0] ?? '',
    image: p.spec.containers[0].image,
    ready: !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    terminating: !!p.metadata.deletionTimestamp,
  };
}

/** The pods once every node in `on` runs exactly one ready pod of `image`, and no other node runs one. */
function settled(k: (args: string[]) => Promise<string>, ns: string, name: string, image: string, on: string[]): Promise<PodInfo[]> {
  return eventually(async () => {
    const ps = await pods(k, ns, name);
    const ok = ps.length === on.length && ps.every((p) => p.ready && !p.terminating && p.image === image) && [...ps.map((p) => p.node)].sort().join() === [...on].sort().join();
    return ok && ps;
  }, 60_000);
}

/** Top-level JSON values of a stream of pretty-printed documents (kubectl -o json --watch). */
function jsonDocuments(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth++ === 0) start = i;
    } else if (ch === '}' && --depth === 0) {
      out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}

for (const [version, bin] of passClients.map((b) => [clientVersion(b), b] as const)) {
  describe(`DaemonSets with kubectl ${version}`, () => {
    const ns = `ds-${version.replace('.', '')}`;
    const kubectl = (args: string[]): Promise<RunResult> => c.kubectl(args, { bin, timeoutMs: 90_000 });
    const k = async (args: string[]): Promise<string> => {
      const r = await kubectl(args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    };

    before(async () => {
      await k(['create', 'namespace', ns]);
    });

    test('one pod per node; get ds shows the counts with upstream columns', async () => {
      // Zero values Go's encoding leaves out (an empty env value, stdin: false) must not stop kubectl matching revisions.
      // So is Go's escaping of <, > and & in the revision data kubectl compares (json.Marshal writes \u0026).
      const agent = `${daemonSetManifest('agent', ns, 'nginx:1.26-alpine')}        env:\n        - name: MODE\n          value: ""\n        - name: PIPE\n          value: "a && b > c"\n        stdin: false\n`;
      assert.equal((await k(['apply', '-f', writeTemp(dir, `agent-${ns}.yaml`, agent)])).trim(), 'daemonset.apps/agent created');
      await settled(k, ns, 'agent', 'nginx:1.26-alpine', nodes);
      const row = await eventually(async () => {
        const r = parseTable(await k(['get', 'ds', 'agent', '-n', ns]))[0];
        return r?.AVAILABLE === '3' && r;
      });
      assert.deepEqual(Object.keys(row), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
      assert.deepEqual({ ...row, AGE: undefined }, { 'NAME': 'agent', 'DESIRED': '3', 'CURRENT': '3', 'READY': '3', 'UP-TO-DATE': '3', 'AVAILABLE': '3', 'NODE SELECTOR': '<none>', 'AGE': undefined });
      const wide = parseTable(await k(['get', 'daemonsets', '-n', ns, '-o', 'wide']))[0];
      assert.equal(wide.CONTAINERS, 'agent');
      assert.equal(wide.IMAGES, 'nginx:1.26-alpine');
      assert.equal(wide.SELECTOR, 'app=agent');
      const events = await k(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.kind=DaemonSet', '-o', 'jsonpath={range .items[*]}{.reason} {.message}{"\\n"}{end}']);
      assert.equal(events.split('\n').filter((l) => /^SuccessfulCreate Created pod: agent-[a-z0-9]{5}$/.test(l)).length, 3);
      const describe = await k(['describe', 'ds', 'agent', '-n', ns]);
      assert.match(describe, /^Desired Number of Nodes Scheduled: 3$/m);
      assert.match(describe, /^Number of Nodes Scheduled with Up-to-date Pods: 3$/m);
      assert.match(describe, /^Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
      assert.match(describe, /SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: agent-/);
      assert.match(await k(['get', 'all', '-n', ns]), /^daemonset\.apps\/agent\s+3\s+3\s+3\s+3\s+3\s+<none>/m);
    });

    test('a nodeSelector limits the DaemonSet to the labelled node', async () => {
      await k(['label', 'node', 'node-2', `disk-${ns}=ssd`]);
      await k(['apply', '-f', writeTemp(dir, `ssd-${ns}.yaml`, daemonSetManifest('ssd', ns, 'nginx:1.26-alpine', `      nodeSelector:\n        disk-${ns}: ssd\n`))]);
      await settled(k, ns, 'ssd', 'nginx:1.26-alpine', ['node-2']);
      const row = await eventually(async () => {
        const r = parseTable(await k(['get', 'ds', 'ssd', '-n', ns]))[0];
        return r?.READY === '1' && r;
      });
      assert.equal(row['NODE SELECTOR'], `disk-${ns}=ssd`);
      assert.equal(row.DESIRED, '1');
      // The label leaves node-2 and arrives on node-3: the pod follows.
      await k(['label', 'node', 'node-2', `disk-${ns}-`]);
      await k(['label', 'node', 'node-3', `disk-${ns}=ssd`]);
      await settled(k, ns, 'ssd', 'nginx:1.26-alpine', ['node-3']);
      await k(['label', 'node', 'node-3', `disk-${ns}-`]);
      await settled(k, ns, 'ssd', 'nginx:1.26-alpine', []);
    });

    test('a NoSchedule taint without a toleration keeps a new DaemonSet off the node', async () => {
      await k(['taint', 'node', 'node-3', `dedicated-${ns}=db:NoSchedule`]);
      try {
        await k(['apply', '-f', writeTemp(dir, `tainted-${ns}.yaml`, daemonSetManifest('tainted', ns, 'nginx:1.26-alpine'))]);
        await settled(k, ns, 'tainted', 'nginx:1.26-alpine', ['node-1', 'node-2']);
        const tolerant = daemonSetManifest('tolerant', ns, 'nginx:1.26-alpine', `      tolerations:\n      - key: dedicated-${ns}\n        operator: Exists\n        effect: NoSchedule\n`);
        await k(['apply', '-f', writeTemp(dir, `tolerant-${ns}.yaml`, tolerant)]);
        await settled(k, ns, 'tolerant', 'nginx:1.26-alpine', nodes);
        // The pod that was already on node-3 stays: NoSchedule does not evict a running daemon pod.
        await settled(k, ns, 'agent', 'nginx:1.26-alpine', nodes);
      } finally {
        await k(['taint', 'node', 'node-3', `dedicated-${ns}-`]);
      }
      await settled(k, ns, 'tainted', 'nginx:1.26-alpine', nodes);
    });

    /**
     * Runs `change` while kubectl watches the app's pods, waits for `rollout status` and for
     * every initial pod to be gone, and returns the watch's events in order.
     */
    async function watchRollout(app: string, change: () => Promise<void>): Promise<{ type: string; pod: PodInfo }[]> {
      const watch = spawn(bin, [`--kubeconfig=${c.kubeconfig}`, 'get', 'pods', '-n', ns, '-l', `app=${app}`, '-o', 'json', '--watch', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stream = '';
      watch.stdout.on('data', (d) => (stream += d));
      const events = () => (jsonDocuments(stream) as { type: string; object: WatchedPod }[]).map((e) => ({ type: e.type, pod: podInfo(e.object) }));
      try {
        await eventually(async () => events().length >= nodes.length);
        await change();
        const status = await k(['rollout', 'status', `ds/${app}`, '-n', ns, '--timeout=120s']);
        assert.match(status, new RegExp(`daemon set "${app}" successfully rolled out\\n$`));
        await eventually(async () => events().filter((e) => e.type === 'DELETED').length >= nodes.length, 60_000);
      } finally {
        watch.kill();
      }
      return events();
    }

    /** Replays watch events: after each, the nodes with a ready pod that is not terminating; calls check with the state. */
    function replay(events: { type: string; pod: PodInfo }[], check: (ev: { type: string; pod: PodInfo }, state: Map<string, PodInfo>, isNew: boolean) => void): void {
      const state = new Map<string, PodInfo>();
      for (const ev of events) {
        const isNew = ev.type === 'ADDED' && !state.has(ev.pod.name);
        if (ev.type === 'DELETED') state.delete(ev.pod.name);
        else state.set(ev.pod.name, ev.pod);
        check(ev, state, isNew);
      }
    }

    const nodesWithReadyPod = (state: Map<string, PodInfo>) => new Set([...state.values()].filter((q) => q.ready && !q.terminating && q.node).map((q) => q.node));

    test('set image rolls node by node; rollout status waits for it', async () => {
      await settled(k, ns, 'agent', 'nginx:1.26-alpine', nodes);
      const events = await watchRollout('agent', async () => {
        assert.equal((await k(['set', 'image', 'ds/agent', '-n', ns, 'agent=nginx:1.27-alpine'])).trim(), 'daemonset.apps/agent image updated');
      });
      await settled(k, ns, 'agent', 'nginx:1.27-alpine', nodes);
      // Never more than one node without a ready pod; a new pod is created only once every
      // earlier new pod is ready.
      const newPods: string[] = [];
      let started = false;
      replay(events, (ev, state, isNew) => {
        if (isNew && ev.pod.image === 'nginx:1.27-alpine') {
          for (const earlier of newPods) assert.ok(state.get(earlier)?.ready, `${ev.pod.name} created before ${earlier} was ready`);
          newPods.push(ev.pod.name);
        }
        started ||= state.size === nodes.length;
        if (started) assert.ok(nodesWithReadyPod(state).size >= nodes.length - 1, `more than one node without a ready pod after ${ev.type} ${ev.pod.name}`);
      });
      assert.equal(newPods.length, 3);
    });

    test('with maxSurge, rollout restart starts each new pod beside the old one: every node keeps a ready pod', async () => {
      const surge = daemonSetManifest('surge', ns, 'nginx:1.26-alpine').replace('spec:\n  selector:', 'spec:\n  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n  selector:');
      await k(['apply', '-f', writeTemp(dir, `surge-${ns}.yaml`, surge)]);
      await settled(k, ns, 'surge', 'nginx:1.26-alpine', nodes);
      const before = new Set((await pods(k, ns, 'surge')).map((p) => p.name));
      const events = await watchRollout('surge', async () => {
        assert.equal((await k(['rollout', 'restart', 'ds/surge', '-n', ns])).trim(), 'daemonset.apps/surge restarted');
      });
      const after = await settled(k, ns, 'surge', 'nginx:1.26-alpine', nodes);
      assert.ok(after.every((p) => !before.has(p.name)));
      let surged = 0;
      let started = false;
      replay(events, (ev, state, isNew) => {
        if (isNew && !before.has(ev.pod.name)) {
          surged++;
          // The new pod's node still runs its old pod, ready.
          assert.ok([...state.values()].some((q) => before.has(q.name) && q.node === ev.pod.target && q.ready && !q.terminating), `${ev.pod.name} started without an old pod beside it`);
        }
        started ||= state.size === nodes.length;
        if (started) assert.equal(nodesWithReadyPod(state).size, nodes.length, `a node without a ready pod after ${ev.type} ${ev.pod.name}`);
      });
      assert.equal(surged, 3);
    });

    test('rollout history lists the revisions; undo goes back to the previous template and skips when already there', async () => {
      const history = await k(['rollout', 'history', 'ds/agent', '-n', ns]);
      assert.match(history, /^daemonset\.apps\/agent \n?REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
      const rev1 = await k(['rollout', 'history', 'ds/agent', '-n', ns, '--revision=1']);
      assert.match(rev1, /Image:\s+nginx:1\.26-alpine/);
      assert.equal((await k(['rollout', 'undo', 'ds/agent', '-n', ns])).trim(), 'daemonset.apps/agent rolled back');
      await k(['rollout', 'status', 'ds/agent', '-n', ns, '--timeout=120s']);
      await settled(k, ns, 'agent', 'nginx:1.26-alpine', nodes);
      // Revision 1's template is current again, so it is renumbered 3 (as upstream), not copied.
      const after = await eventually(async () => {
        const out = await k(['rollout', 'history', 'ds/agent', '-n', ns]);
        return /\n2\s+<none>\n3\s+<none>\n/.test(out) && out;
      });
      assert.doesNotMatch(after, /\n1\s+<none>/);
      const revisions = JSON.parse(await k(['get', 'controllerrevisions', '-n', ns, '-l', 'app=agent', '-o', 'json'])).items as { revision: number; metadata: { name: string; labels: Record<string, string> } }[];
      assert.deepEqual(revisions.map((r) => r.revision).sort(), [2, 3]);
      for (const r of revisions) assert.equal(r.metadata.name, `agent-${r.metadata.labels['controller-revision-hash']}`);
      // kubectl compares the revision's data with the DaemonSet byte for byte.
      assert.equal((await k(['rollout', 'undo', 'ds/agent', '-n', ns, '--to-revision=3'])).trim(), 'daemonset.apps/agent skipped rollback (current template already matches revision 3)');
    });

    test('deleting the DaemonSet removes its pods and revisions', async () => {
      assert.equal((await k(['delete', 'ds', 'agent', '-n', ns])).trim(), 'daemonset.apps "agent" deleted');
      await eventually(async () => (await pods(k, ns, 'agent')).length === 0, 60_000);
      await eventually(async () => JSON.parse(await k(['get', 'controllerrevisions', '-n', ns, '-l', 'app=agent', '-o', 'json'])).items.length === 0, 60_000);
      await k(['delete', 'namespace', ns, '--wait=false']);
    });
  });
}
