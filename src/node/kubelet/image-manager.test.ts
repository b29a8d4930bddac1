import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../../api/types.js';
import { ImageStore, type ImageRecord } from '../images/image-store.js';
import { MediaType } from '../images/oci.js';
import { isOciLaunch } from '../images/oci-launch.js';
import { ImagePullError } from './container-runtime.js';
import { catalogImageResolver } from './image-resolver.js';
import { ImageManager, isUnreachable } from './image-manager.js';
import type { ImageSources } from '../images/image-sources.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } };

/** Writes a one-layer image into the store under name, as a pull or a load would. */
async function storeImage(store: ImageStore, name: string, source: ImageRecord['source'] = 'pull', cmd = ['app']): Promise<ImageRecord> {
  const layer = await store.writeBlob(Buffer.from(`layer of ${name}`));
  const config = await store.writeBlob(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: cmd, StopSignal: 'SIGQUIT' }, rootfs: { type: 'layers', diff_ids: [layer.digest] } })),
  );
  const manifest = await store.writeBlob(
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, ...config }, layers: [{ mediaType: MediaType.ociLayer, ...layer }] })),
  );
  const desc = { mediaType: MediaType.ociManifest, ...manifest };
  return store.recordImage(name, desc, desc, source);
}

interface Harness {
  manager: ImageManager;
  store: ImageStore;
  pulls: string[];
  events: string[];
  ctx: { pod: Pod; pulling(): void };
  clock: { t: number };
}

function harness(sources: ImageSources, pull: (ref: string, store: ImageStore) => Promise<ImageRecord>): Harness {
  const store = new ImageStore(fs.mkdtempSync(path.join(os.tmpdir(), 'kz-imgmgr-')));
  const pulls: string[] = [];
  const events: string[] = [];
  const clock = { t: 1_000_000 };
  const manager = new ImageManager({
    store,
    sources,
    pull: (ref) => {
      pulls.push(ref);
      return pull(ref, store);
    },
    snapshots: async (rec) => rec.layers.map((l) => `/snapshots/${l.digest.slice(7, 15)}`),
    shellStandIn: async (ref) => (ref.path === 'library/busybox' ? storeImage(store, 'docker.io/library/busybox:latest', 'builtin', ['sh']) : undefined),
    catalog: catalogImageResolver(),
    process: (config, c, env) => ({ argv: [...(c.command ?? config.config?.Cmd ?? [])], env }),
    now: () => clock.t,
  });
  return { manager, store, pulls, events, ctx: { pod, pulling: () => events.push('Pulling') }, clock };
}

const container = (image: string, imagePullPolicy?: Container['imagePullPolicy']): Container => ({ name: 'c', image, ...(imagePullPolicy ? { imagePullPolicy } : {}) });
const refused = () => Promise.reject(Object.assign(new Error('dial tcp 127.0.0.1:5000: connect: connection refused'), { code: 'ECONNREFUSED' }));

test('IfNotPresent runs a stored image without asking the registry; the status names the repo digest', async () => {
  const h = harness('auto', refused);
  const rec = await storeImage(h.store, 'docker.io/library/app:v1', 'load');
  const r = await h.manager.resolve(container('app:v1'), h.ctx);
  assert.deepEqual(h.pulls, []);
  assert.deepEqual(h.events, []);
  assert.equal(r.pulled, undefined);
  assert.equal(r.image, 'docker.io/library/app:v1');
  assert.equal(r.imageID, `docker.io/library/app@${rec.target.digest}`);
  assert.equal(r.stopSignal, 'SIGQUIT');
  assert.ok(isOciLaunch(r.launch) && r.launch.lowerDirs.length === 1);
  assert.deepEqual(r.process(container('app:v1'), {}, pod).argv, ['app']);
});

test('Always pulls (Pulling, then pulled with the image size); concurrent pulls of one name share one pull', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const h = harness('registry', async (ref, store) => {
    await gate;
    return storeImage(store, 'docker.io/library/app:latest');
  });
  const a = h.manager.resolve(container('app'), h.ctx);
  const b = h.manager.resolve(container('docker.io/library/app:latest'), h.ctx);
  h.clock.t += 1234;
  release();
  const [ra, rb] = await Promise.all([a, b]);
  assert.equal(h.pulls.length, 1);
  assert.deepEqual(h.events, ['Pulling', 'Pulling']);
  assert.deepEqual(ra.pulled, { tookMs: 1234, sizeBytes: h.store.getImage('docker.io/library/app:latest')!.size });
  assert.equal(rb.image, 'docker.io/library/app:latest');
});

test('Never without the image is ErrImageNeverPull with the kubelet\'s message', async () => {
  const h = harness('auto', refused);
  await assert.rejects(h.manager.resolve(container('app:v2', 'Never'), h.ctx), (e: unknown) => {
    assert.ok(e instanceof ImagePullError);
    assert.equal(e.reason, 'ErrImageNeverPull');
    assert.equal(e.message, 'Container image "app:v2" is not present with pull policy of Never');
    return true;
  });
  assert.deepEqual(h.pulls, []);
});

test('auto: an unreachable registry gives the stand-in, says so, and is not asked again for a while', async () => {
  const h = harness('auto', refused);
  const r = await h.manager.resolve(container('nginx'), h.ctx);
  assert.equal(isOciLaunch(r.launch), false, 'nginx\'s stand-in is the built-in program');
  assert.equal(r.notices?.[0].reason, 'StandInImage');
  assert.equal(r.notices?.[0].type, 'Warning');
  assert.match(r.notices![0].message, /Failed to pull image "nginx": dial tcp .*connection refused; running kanzen's built-in stand-in for docker.io\/library\/nginx:latest/);
  await h.manager.resolve(container('nginx:1.25'), h.ctx);
  assert.equal(h.pulls.length, 1, 'the same registry is not asked again within the retry window');
  // The shell stand-ins are real images built into the store, run like any other.
  const bb = await h.manager.resolve(container('busybox'), h.ctx);
  assert.ok(isOciLaunch(bb.launch));
  assert.equal(bb.notices?.[0].reason, 'StandInImage');
  h.clock.t += 61_000;
  await h.manager.resolve(container('nginx'), h.ctx);
  assert.equal(h.pulls.length, 2, 'asked again after the retry window');
});

test('a registry that answers (not found, unauthorized) is an ErrImagePull with its reason, never a stand-in', async () => {
  const h = harness('auto', () => Promise.reject(new Error('failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found')));
  await assert.rejects(h.manager.resolve(container('nginx:nope'), h.ctx), (e: unknown) => e instanceof ImagePullError && e.reason === 'ErrImagePull' && /not found/.test(e.message));
});

test('registry mode: no stand-ins, not even stored ones', async () => {
  const h = harness('registry', refused);
  await storeImage(h.store, 'docker.io/library/busybox:latest', 'builtin', ['sh']);
  await assert.rejects(h.manager.resolve(container('busybox:latest', 'IfNotPresent'), h.ctx), ImagePullError);
  await assert.rejects(h.manager.resolve(container('nginx'), h.ctx), /connection refused/);
});

test('builtin mode never touches the network: store first, then stand-ins', async () => {
  const h = harness('builtin', refused);
  await storeImage(h.store, 'docker.io/library/app:latest', 'load');
  assert.ok(isOciLaunch((await h.manager.resolve(container('app'), h.ctx)).launch));
  const n = await h.manager.resolve(container('nginx'), h.ctx);
  assert.equal(n.notices?.[0].type, 'Normal');
  await assert.rejects(h.manager.resolve(container('unknown/thing:1'), h.ctx), /kanzen image load/);
  assert.deepEqual(h.pulls, []);
});

test('a digest reference finds a stored image of that repository and digest', async () => {
  const h = harness('auto', refused);
  const rec = await storeImage(h.store, 'docker.io/library/app:v1', 'load');
  const r = await h.manager.resolve(container(`app@${rec.target.digest}`), h.ctx);
  assert.equal(r.imageID, `docker.io/library/app@${rec.target.digest}`);
  assert.deepEqual(h.pulls, []);
});

test('unreachable is told apart from an answer by the error codes down the cause chain', () => {
  assert.equal(isUnreachable(Object.assign(new Error('x'), { cause: { code: 'ENOTFOUND' } })), true);
  assert.equal(isUnreachable(new Error('manifest unknown')), false);
});
