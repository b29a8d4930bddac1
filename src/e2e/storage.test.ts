// PersistentVolumes, claims and StorageClasses on a real (netns) cluster, with kubectl 1.27
// and 1.33:
//   - the default class `standard` (local-path, WaitForFirstConsumer): a claim stays Pending
//     until a pod uses it; the scheduler selects the node, the provisioner makes the volume's
//     directory under <home>/storage, the binder binds; data a pod wrote is read by the next
//     pod on the claim (on the same node); deleting the claim waits for its pod
//     (pvc-protection) and then removes the directory (reclaim Delete);
//   - a static volume of an Immediate class: the pod waits ("unbound immediate
//     PersistentVolumeClaims") until a matching PV exists; Retain keeps the data;
//   - a pod on a missing claim stays Pending with upstream's FailedScheduling message;
//   - a generic ephemeral volume's claim is made for its pod and goes with it;
//   - the same from a container of a loaded OCI image, run by runc;
//   - hostPath types (DirectoryOrCreate made, Directory checked) and emptyDir medium Memory (a
//     tmpfs with the size limit), its mount gone with the pod, and with `kanzen down` even after
//     a kill -9 of every cluster process.
// Needs root (network namespaces), busybox-static, and for the runc case umoci, skopeo and runc
// (npm test installs them).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, hasCommand, kubectl127Bin, kubectl133Bin, parseTable, runKanzen, startCluster, type TestCluster } from './harness.js';
import { execFileSync } from 'node:child_process';
import { readMountPoints } from '../node/cluster-network.js';
import { buildBusyboxImage } from '../testing/test-images.js';

const isRoot = process.getuid?.() === 0;
let c: TestCluster;

before(async () => {
  if (!isRoot) return;
  c = await startCluster({ nodes: 2, extraArgs: ['--runtime', 'netns'] });
});

after(() => {
  c?.down(true);
});

const apply = (yaml: string) => c.k(['apply', '-f', '-'], { input: yaml });
const jsonpath = (args: string[], expr: string) => c.k([...args, '-o', `jsonpath=${expr}`]);

function claimYaml(name: string, extra = ''): string {
  return `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
${extra}`;
}

/** A busybox pod running `command` with one volume (its source as YAML flow) at `mountPath`. */
function volumePodYaml(name: string, source: string, command: string, mountPath = '/data', image = 'busybox:1.36'): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${image}
    imagePullPolicy: IfNotPresent
    command: [sh, -c, ${JSON.stringify(command)}]
    volumeMounts: [{name: data, mountPath: ${mountPath}}]
  volumes:
  - name: data
    ${source}
`;
}

const podYaml = (name: string, claim: string, command: string) => volumePodYaml(name, `persistentVolumeClaim: {claimName: ${claim}}`, command);
const memoryPodYaml = (name: string, sizeLimit?: string) =>
  volumePodYaml(name, `emptyDir: {medium: Memory${sizeLimit ? `, sizeLimit: ${sizeLimit}` : ''}}`, 'sleep 3600', '/cache');

async function podPhase(name: string): Promise<string> {
  return jsonpath(['get', 'pod', name], '{.status.phase}');
}

async function eventMessages(name: string, reason: string): Promise<string[]> {
  const out = await c.k(['get', 'events', '--field-selector', `involvedObject.name=${name},reason=${reason}`, '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
  return out.split('\n').filter(Boolean);
}

describe('storage', { skip: !isRoot && 'needs root for network namespaces' }, () => {
  test('the default StorageClass standard, as kind names it (both kubectls)', async () => {
    for (const bin of [kubectl127Bin, kubectl133Bin]) {
      const out = (await c.kubectl(['get', 'sc'], { bin })).stdout;
      assert.match(out.split('\n')[0], /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/, out);
      assert.match(out.split('\n')[1], /^standard \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\S+$/, out);
    }
  });

  test('a claim of the default class waits for its first consumer, then is provisioned on its node; data outlives the pod', async (t) => {
    await apply(claimYaml('data'));
    assert.equal(await jsonpath(['get', 'pvc', 'data'], '{.spec.storageClassName}'), 'standard');
    assert.deepEqual(JSON.parse(await jsonpath(['get', 'pvc', 'data'], '{.metadata.finalizers}')), ['kubernetes.io/pvc-protection']);
    await eventually(async () => (await eventMessages('data', 'WaitForFirstConsumer')).includes('waiting for first consumer to be created before binding'));
    assert.equal(await jsonpath(['get', 'pvc', 'data'], '{.status.phase}'), 'Pending');

    let started = Date.now();
    await apply(podYaml('writer', 'data', 'echo hello from writer > /data/greeting && sleep 3600'));
    await eventually(async () => (await podPhase('writer')) === 'Running', 90_000);
    t.diagnostic(`first pod on a new claim (select node, provision, bind, start): Running after ${Date.now() - started} ms`);
    const node = await jsonpath(['get', 'pod', 'writer'], '{.spec.nodeName}');
    const uid = await jsonpath(['get', 'pvc', 'data'], '{.metadata.uid}');
    assert.equal(await jsonpath(['get', 'pvc', 'data'], '{.metadata.annotations.volume\\.kubernetes\\.io/selected-node}'), node);
    const pvName = `pvc-${uid}`;
    const pv = JSON.parse(await c.k(['get', 'pv', pvName, '-o', 'json']));
    assert.equal(pv.spec.hostPath.type, 'DirectoryOrCreate');
    assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], { key: 'kubernetes.io/hostname', operator: 'In', values: [node] });
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
    const dir = path.join(c.home, 'storage', `pvc-${uid}_default_data`);
    assert.equal(pv.spec.hostPath.path, dir);
    await eventually(async () => fs.existsSync(path.join(dir, 'greeting')));
    assert.equal(fs.readFileSync(path.join(dir, 'greeting'), 'utf8'), 'hello from writer\n');
    assert.deepEqual(await eventMessages('data', 'ProvisioningSucceeded'), [`Successfully provisioned volume ${pvName}`]);
    assert.deepEqual(await eventMessages('data', 'Provisioning'), ['External provisioner is provisioning volume for claim "default/data"']);
    assert.match((await eventMessages('data', 'ExternalProvisioning'))[0], /^Waiting for a volume to be created either by the external provisioner 'rancher\.io\/local-path' or manually/);

    for (const bin of [kubectl127Bin, kubectl133Bin]) {
      const out = (await c.kubectl(['get', 'pv,pvc'], { bin })).stdout;
      const [pvPart, pvcPart] = out.split('\n\n');
      assert.match(pvPart.split('\n')[0], /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE$/, out);
      assert.match(pvPart, new RegExp(`^persistentvolume/${pvName}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+standard\\s+<unset>\\s+\\S+$`, 'm'), out);
      assert.match(pvcPart.split('\n')[0], /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/, out);
      assert.match(pvcPart, new RegExp(`^persistentvolumeclaim/data\\s+Bound\\s+${pvName}\\s+1Gi\\s+RWO\\s+standard\\s+<unset>\\s+\\S+$`, 'm'), out);
    }

    await c.k(['delete', 'pod', 'writer']);
    started = Date.now();
    await apply(podYaml('reader', 'data', 'cat /data/greeting && sleep 3600'));
    await eventually(async () => (await podPhase('reader')) === 'Running', 90_000);
    t.diagnostic(`next pod on the bound claim: Running after ${Date.now() - started} ms`);
    assert.equal(await jsonpath(['get', 'pod', 'reader'], '{.spec.nodeName}'), node);
    await eventually(async () => (await c.k(['logs', 'reader'])) === 'hello from writer\n');

    // The claim is in use: its deletion waits for the pod (pvc-protection).
    await c.k(['delete', 'pvc', 'data', '--wait=false']);
    await eventually(async () => parseTable(await c.k(['get', 'pvc']))[0]?.STATUS === 'Terminating');
    assert.ok(fs.existsSync(dir));
    await c.k(['delete', 'pod', 'reader']);
    await eventually(async () => (await c.kubectl(['get', 'pvc', 'data'])).code !== 0);
    // Reclaim Delete: the volume and its directory go.
    await eventually(async () => (await c.kubectl(['get', 'pv', pvName])).code !== 0 && !fs.existsSync(dir), 30_000);
  });

  test('a pod on a missing claim stays Pending with the scheduler\'s message', async () => {
    await apply(podYaml('orphan', 'nope', 'sleep 3600'));
    const message = '0/2 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';
    await eventually(async () => (await eventMessages('orphan', 'FailedScheduling')).includes(message));
    assert.equal(await podPhase('orphan'), 'Pending');
    await c.k(['delete', 'pod', 'orphan']);
  });

  test('an Immediate class without provisioner: the pod waits for a static volume; Retain keeps it', async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: manual}
provisioner: kubernetes.io/no-provisioner
reclaimPolicy: Retain
`);
    await apply(claimYaml('static', '  storageClassName: manual'));
    await apply(podYaml('static-user', 'static', 'echo kept > /data/file && sleep 3600'));
    const message = '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';
    await eventually(async () => (await eventMessages('static-user', 'FailedScheduling')).includes(message));
    const dir = path.join(c.home, 'manual-volume');
    await apply(`apiVersion: v1
kind: PersistentVolume
metadata: {name: manual-pv}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath: {path: ${dir}, type: DirectoryOrCreate}
`);
    assert.equal(await jsonpath(['get', 'pv', 'manual-pv'], '{.spec.persistentVolumeReclaimPolicy}'), 'Retain');
    await eventually(async () => (await podPhase('static-user')) === 'Running', 90_000);
    assert.equal(await jsonpath(['get', 'pvc', 'static'], '{.spec.volumeName}'), 'manual-pv');
    await eventually(async () => fs.existsSync(path.join(dir, 'file')));
    await c.k(['delete', 'pod', 'static-user']);
    await c.k(['delete', 'pvc', 'static']);
    await eventually(async () => (await jsonpath(['get', 'pv', 'manual-pv'], '{.status.phase}')) === 'Released');
    assert.equal(fs.readFileSync(path.join(dir, 'file'), 'utf8'), 'kept\n');
    // A Released volume is not in use: pv-protection lets its deletion through at once.
    await c.k(['delete', 'pv', 'manual-pv']);
    assert.ok(fs.existsSync(path.join(dir, 'file')));
  });

  test('a generic ephemeral volume: its claim is made for the pod, provisioned, and goes with the pod', async () => {
    await apply(volumePodYaml('eph', 'ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 64Mi}}}}}', 'echo scratch > /data/f && sleep 3600'));
    await eventually(async () => (await podPhase('eph')) === 'Running', 90_000);
    const claimJson = JSON.parse(await c.k(['get', 'pvc', 'eph-data', '-o', 'json']));
    assert.deepEqual(
      claimJson.metadata.ownerReferences.map((r: { kind: string; name: string; controller: boolean }) => [r.kind, r.name, r.controller]),
      [['Pod', 'eph', true]],
    );
    assert.equal(claimJson.spec.storageClassName, 'standard');
    const dir = path.join(c.home, 'storage', `pvc-${claimJson.metadata.uid}_default_eph-data`);
    await eventually(async () => fs.existsSync(path.join(dir, 'f')));
    await c.k(['delete', 'pod', 'eph']);
    await eventually(async () => (await c.kubectl(['get', 'pvc', 'eph-data'])).code !== 0 && !fs.existsSync(dir), 60_000);
  });

  test('hostPath: DirectoryOrCreate makes the directory, Directory checks it (FailedMount)', async () => {
    const made = path.join(c.home, 'hostpath', 'made');
    const missing = path.join(c.home, 'hostpath', 'missing');
    await apply(volumePodYaml('hostpath', `hostPath: {path: ${made}, type: DirectoryOrCreate}`, 'echo from-pod > /host/out && sleep 3600', '/host'));
    await apply(volumePodYaml('hostpath-missing', `hostPath: {path: ${missing}, type: Directory}`, 'sleep 3600', '/host'));
    await eventually(async () => fs.existsSync(path.join(made, 'out')), 90_000);
    assert.equal(fs.readFileSync(path.join(made, 'out'), 'utf8'), 'from-pod\n');
    const failed = `MountVolume.SetUp failed for volume "data" : hostPath type check failed: ${missing} is not a directory`;
    await eventually(async () => (await eventMessages('hostpath-missing', 'FailedMount')).includes(failed), 60_000);
    assert.equal(await podPhase('hostpath-missing'), 'Pending');
    await c.k(['delete', 'pod', 'hostpath', 'hostpath-missing']);
  });

  test('emptyDir medium Memory is a tmpfs of the size limit, unmounted with the pod', async () => {
    await apply(memoryPodYaml('memory', '16Mi'));
    await eventually(async () => (await podPhase('memory')) === 'Running', 90_000);
    const mounts = (await c.k(['exec', 'memory', '--', 'mount'])).split('\n').filter((l) => l.includes(' /cache '));
    assert.equal(mounts.length, 1, mounts.join('\n'));
    assert.match(mounts[0], /^tmpfs on \/cache type tmpfs \(rw,.*size=16384k/);
    const uid = await jsonpath(['get', 'pod', 'memory'], '{.metadata.uid}');
    const podDir = path.join(c.home, 'pods', uid);
    assert.ok(readMountPoints().some((m) => m.startsWith(podDir + '/')));
    await c.k(['delete', 'pod', 'memory']);
    await eventually(async () => !readMountPoints().some((m) => m.startsWith(podDir + '/')));
  });

  test('a container of a loaded OCI image (runc) writes to its claim and has the memory emptyDir', { skip: ['umoci', 'skopeo', 'runc'].some((cmd) => !hasCommand(cmd)) && 'needs umoci, skopeo and runc' }, async () => {
    const dir = fs.mkdtempSync(path.join(c.home, 'oci-'));
    buildBusyboxImage(path.join(dir, 'layout'), { tag: 'latest', cmd: ['sh'], applets: true });
    const archive = path.join(dir, 'volumes.tar');
    execFileSync('skopeo', ['--insecure-policy', 'copy', `oci:${path.join(dir, 'layout')}:latest`, `docker-archive:${archive}:volumes-test:1`], { stdio: 'ignore' });
    const load = runKanzen(['image', 'load', archive, '--name', c.name, '--home', c.home]);
    assert.equal(load.code, 0, load.stderr);
    await apply(claimYaml('oci-data'));
    await apply(volumePodYaml('oci-writer', 'persistentVolumeClaim: {claimName: oci-data}', 'echo from-runc > /data/f && sleep 3600', '/data', 'volumes-test:1'));
    await eventually(async () => (await podPhase('oci-writer')) === 'Running', 90_000);
    // The loaded image, run by runc (not a built-in stand-in).
    assert.match(await c.k(['describe', 'pod', 'oci-writer']), /Container image "volumes-test:1" already present on machine/);
    const uid = await jsonpath(['get', 'pvc', 'oci-data'], '{.metadata.uid}');
    const volumeDir = path.join(c.home, 'storage', `pvc-${uid}_default_oci-data`);
    await eventually(async () => fs.existsSync(path.join(volumeDir, 'f')));
    assert.equal(fs.readFileSync(path.join(volumeDir, 'f'), 'utf8'), 'from-runc\n');
    await apply(volumePodYaml('oci-memory', 'emptyDir: {medium: Memory, sizeLimit: 8Mi}', 'sleep 3600', '/cache', 'volumes-test:1'));
    await eventually(async () => (await podPhase('oci-memory')) === 'Running', 90_000);
    const mounts = (await c.k(['exec', 'oci-memory', '--', 'mount'])).split('\n').filter((l) => l.includes(' /cache '));
    assert.match(mounts[0] ?? '', /^tmpfs on \/cache type tmpfs \(rw,.*size=8192k/, mounts.join('\n'));
    await c.k(['delete', 'pod', 'oci-writer', 'oci-memory']);
    await c.k(['delete', 'pvc', 'oci-data']);
  });

  test('kanzen down after kill -9 of every cluster process leaves no mount under the home; volume data stays until --purge', async () => {
    await apply(memoryPodYaml('memory2'));
    await eventually(async () => (await podPhase('memory2')) === 'Running', 90_000);
    assert.ok(readMountPoints().some((m) => m.startsWith(path.join(c.home, 'pods') + '/')));
    for (const f of ['supervisor.pid', 'daemon.pid', 'nodes/node-1/agent.pid', 'nodes/node-2/agent.pid']) {
      process.kill(Number(fs.readFileSync(path.join(c.home, f), 'utf8')), 'SIGKILL');
    }
    const r = c.down(false);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readMountPoints().filter((m) => m.startsWith(c.home + '/')), []);
    assert.ok(fs.existsSync(path.join(c.home, 'manual-volume', 'file')));
  });
});
