// configMap, secret, downwardAPI and projected volumes of a running pod follow their sources:
// an edit shows in the pod's files well before the one-minute resync, through a new `..data`
// directory, and a volume whose content did not change is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigMap, Container, Pod, Secret } from '../../api/types.js';
import { resourceFor } from '../../client/api-client.js';
import { ApiEventRecorder } from '../../client/event-recorder.js';
import { startApiFixture } from '../../testing/api-fixture.js';
import { isGone, waitFor } from '../../testing/wait.js';
import { silentLogger } from '../../util/logger.js';
import { HostProcessLauncher } from './container-launcher.js';
import type { ImageResolver } from './container-runtime.js';
import { DirectorySandboxProvider, hostExec, Kubelet } from './kubelet.js';
import { volumeContentMatches } from './volumes.js';

const pods = resourceFor('pods');
const configMaps = resourceFor('configmaps');
const secrets = resourceFor('secrets');

const images: ImageResolver = {
  resolve(_c: Container) {
    return {
      image: 'docker.io/library/node:script',
      imageID: 'docker.io/library/node@sha256:0',
      process: (container, env) => ({ argv: [process.execPath, '-e', container.command?.[0] ?? ''], env: { ...env, PATH: process.env.PATH ?? '' } }),
    };
  },
};

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('volumeContentMatches: same paths and bytes behind ..data, nothing more', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-volmatch-'));
  try {
    assert.equal(volumeContentMatches(dir, {}), false, 'never written');
    fs.mkdirSync(path.join(dir, '..2024_01_01_00_00_00.1', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, '..2024_01_01_00_00_00.1', 'a'), 'x');
    fs.writeFileSync(path.join(dir, '..2024_01_01_00_00_00.1', 'sub', 'b'), Buffer.from([0, 1]));
    fs.symlinkSync('..2024_01_01_00_00_00.1', path.join(dir, '..data'));
    assert.equal(volumeContentMatches(dir, { a: 'x', 'sub/b': Buffer.from([0, 1]) }), true);
    assert.equal(volumeContentMatches(dir, { a: 'y', 'sub/b': Buffer.from([0, 1]) }), false, 'content');
    assert.equal(volumeContentMatches(dir, { a: 'x' }), false, 'a path less');
    assert.equal(volumeContentMatches(dir, { a: 'x', 'sub/b': Buffer.from([0, 1]), c: '' }), false, 'a path more');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('running pods\' configMap/secret/downwardAPI/projected files follow their sources', async (t) => {
  const api = await startApiFixture();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-kubelet-vols-'));
  const client = api.client('kubelet');
  const user = api.client('kubectl');
  const kubelet = new Kubelet({
    client,
    recorder: new ApiEventRecorder(client, 'kubelet', 'node-1'),
    nodeName: 'node-1',
    nodeIP: '172.18.0.2',
    podCIDR: '10.244.1.0/24',
    logger: silentLogger,
    sandboxes: new DirectorySandboxProvider(home),
    launcher: new HostProcessLauncher(),
    images,
    exec: hostExec,
  });
  t.after(async () => {
    await kubelet.shutdown(0);
    await api.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });
  await kubelet.start();
  await user.create<ConfigMap>(configMaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'hello', other: 'x' } });
  await user.create<Secret>(secrets, 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, type: 'Opaque', data: { password: b64('s3cret') } });
  const created = await user.create<Pod>(pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'vols', namespace: 'default', labels: { app: 'web' } },
    spec: {
      nodeName: 'node-1',
      terminationGracePeriodSeconds: 2,
      volumes: [
        { name: 'cm', configMap: { name: 'cfg' } },
        { name: 'sec', secret: { secretName: 'creds' } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        {
          name: 'proj',
          projected: {
            sources: [
              { configMap: { name: 'cfg', items: [{ key: 'greeting', path: 'p/greeting' }] } },
              { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
            ],
          },
        },
      ],
      containers: [{ name: 'app', image: 'node:script', command: ['process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000)'] }],
    },
  });
  const uid = created.metadata.uid!;
  await waitFor(async () => (await client.get<Pod>(pods, 'default', 'vols')).status?.phase === 'Running', 10_000, 'pod Running');
  const vol = (plugin: string, name: string) => path.join(home, 'pods', uid, 'volumes', `kubernetes.io~${plugin}`, name);
  const read = (plugin: string, name: string, file: string) => {
    try {
      return fs.readFileSync(path.join(vol(plugin, name), file), 'utf8');
    } catch {
      return undefined;
    }
  };
  const dataDir = (plugin: string, name: string) => fs.readlinkSync(path.join(vol(plugin, name), '..data'));
  assert.equal(read('configmap', 'cm', 'greeting'), 'hello');
  assert.equal(read('secret', 'sec', 'password'), 's3cret');
  assert.equal(read('downward-api', 'info', 'labels'), 'app="web"');
  assert.equal(read('projected', 'proj', 'p/greeting'), 'hello');
  assert.deepEqual(kubelet.volumeSourceWatches, ['ConfigMap/default', 'Secret/default'], 'only the referenced kinds of the pod\'s namespace are watched');

  // An edited ConfigMap reaches both volumes that project it, with a new ..data directory.
  const cmData = dataDir('configmap', 'cm');
  const cm = await user.get<ConfigMap>(configMaps, 'default', 'cfg');
  await user.update<ConfigMap>(configMaps, { ...cm, data: { ...cm.data, greeting: 'bonjour' } });
  await waitFor(() => read('configmap', 'cm', 'greeting') === 'bonjour', 5000, 'configMap volume updated');
  await waitFor(() => read('projected', 'proj', 'p/greeting') === 'bonjour', 5000, 'projected volume updated');
  assert.notEqual(dataDir('configmap', 'cm'), cmData);
  assert.equal(read('configmap', 'cm', 'other'), 'x');
  assert.deepEqual(fs.readdirSync(vol('configmap', 'cm')).filter((e) => e.startsWith('..')).length, 2, 'the old payload directory is gone: ..data and one timestamped directory');

  // A Secret edit rebuilds the pod's volumes; those whose content is the same are not rewritten.
  const cmData2 = dataDir('configmap', 'cm');
  const infoData = dataDir('downward-api', 'info');
  const sec = await user.get<Secret>(secrets, 'default', 'creds');
  await user.update<Secret>(secrets, { ...sec, data: { password: b64('n3w') } });
  await waitFor(() => read('secret', 'sec', 'password') === 'n3w', 5000, 'secret volume updated');
  assert.equal(dataDir('configmap', 'cm'), cmData2, 'unchanged configMap volume not rewritten');
  assert.equal(dataDir('downward-api', 'info'), infoData, 'unchanged downwardAPI volume not rewritten');

  // New labels show in the downwardAPI files, the volume and the projection alike.
  const pod = await user.get<Pod>(pods, 'default', 'vols');
  await user.update<Pod>(pods, { ...pod, metadata: { ...pod.metadata, labels: { app: 'web', tier: 'front' } } });
  await waitFor(() => read('downward-api', 'info', 'labels') === 'app="web"\ntier="front"', 5000, 'downwardAPI volume updated');
  await waitFor(() => read('projected', 'proj', 'labels') === 'app="web"\ntier="front"', 5000, 'projected downwardAPI updated');

  // A deleted source: FailedMount, the files stay, the pod keeps running; recreated, it shows again.
  await user.delete(configMaps, 'default', 'cfg');
  await waitFor(
    async () => {
      const events = await client.list(resourceFor('events'), 'default');
      return events.items.some((e) => (e as { reason?: string }).reason === 'FailedMount' && (e as { message?: string }).message === 'MountVolume.SetUp failed for volume "cm" : configmap "cfg" not found');
    },
    5000,
    'FailedMount event',
  );
  assert.equal(read('configmap', 'cm', 'greeting'), 'bonjour');
  assert.equal((await client.get<Pod>(pods, 'default', 'vols')).status?.phase, 'Running');
  await user.create<ConfigMap>(configMaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'again' } });
  await waitFor(() => read('configmap', 'cm', 'greeting') === 'again' && read('configmap', 'cm', 'other') === undefined, 5000, 'recreated configMap shown');
  assert.equal(fs.existsSync(path.join(vol('configmap', 'cm'), 'other')), false, 'a key gone from the ConfigMap is gone from the volume');

  // The pod gone, nothing is watched any more.
  await user.delete(pods, 'default', 'vols');
  await waitFor(() => isGone(client, pods, 'default', 'vols'), 10_000, 'pod deleted');
  await waitFor(() => kubelet.volumeSourceWatches.length === 0, 5000, 'watches dropped');
});
