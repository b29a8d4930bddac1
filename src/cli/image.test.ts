import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { humanSize, tabwriter } from './image.js';
import { buildLayeredImage, canBuildImages, haveSkopeo } from '../testing/oci-test-images.js';
import { buildBusyboxImage } from '../testing/test-images.js';
import { startTestRegistry, testRegistryMissing } from '../testing/test-registry.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

test("sizes as crictl prints them (go-units' HumanSizeWithPrecision(size, 3))", () => {
  assert.equal(humanSize(4_270_000), '4.27MB');
  assert.equal(humanSize(2_227_781), '2.23MB');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1500), '1.5kB');
  assert.equal(humanSize(1_000_000), '1MB');
  assert.equal(humanSize(999_999), '1e+03kB');
  assert.equal(humanSize(73_400_320), '73.4MB');
  assert.equal(humanSize(0), '0B');
});

test('columns as Go tabwriter(minwidth 20, padding 3) lays them out', () => {
  assert.deepEqual(tabwriter([['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], ['docker.io/library/busybox', 'latest', 'a416a98b71e22', '2.23MB']], 20, 3), [
    'IMAGE                       TAG                 IMAGE ID            SIZE',
    'docker.io/library/busybox   latest              a416a98b71e22       2.23MB',
  ]);
});

test('kanzen image load / ls / rm / prune against a cluster home', { skip: canBuildImages() && haveSkopeo() ? false : 'needs root, umoci, skopeo and busybox-static' }, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-cli-image-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const layout = path.join(dir, 'oci');
  buildBusyboxImage(layout, { tag: 'bb', cmd: ['sh'] });
  buildLayeredImage(layout, 'layered');
  const sk = (...a: string[]) => execFileSync('skopeo', ['--insecure-policy', 'copy', ...a], { stdio: 'ignore' });
  sk(`oci:${layout}:bb`, `docker-archive:${path.join(dir, 'app.tar')}:myapp:dev`);
  sk(`oci:${layout}:layered`, `oci-archive:${path.join(dir, 'layered.tar')}:example.com/team/layered:1.0`);
  const home = path.join(dir, 'home');
  const kanzen = (args: string[], input?: Buffer) => {
    const r = spawnSync(process.execPath, [MAIN, 'image', ...args, '--home', home], { input, encoding: 'utf8' });
    return { out: r.stdout, err: r.stderr, status: r.status };
  };

  const load = kanzen(['load', path.join(dir, 'app.tar')]);
  assert.equal(load.status, 0, load.err);
  assert.match(load.out, /^unpacking docker\.io\/library\/myapp:dev \(sha256:[0-9a-f]{64}\)\.\.\.done\n$/);
  const fromStdin = kanzen(['load', '-'], fs.readFileSync(path.join(dir, 'layered.tar')));
  assert.equal(fromStdin.status, 0, fromStdin.err);
  assert.match(fromStdin.out, /^unpacking example\.com\/team\/layered:1\.0 \(sha256:[0-9a-f]{64}\)\.\.\.done\n$/);

  const ls = kanzen(['ls']).out.trimEnd().split('\n');
  assert.equal(ls.length, 3);
  // The IMAGE column is as wide as its longest name (24) plus 3; the others at their minimum of 20.
  assert.equal(ls[0], `${'IMAGE'.padEnd(27)}${'TAG'.padEnd(20)}${'IMAGE ID'.padEnd(20)}SIZE`);
  assert.match(ls[1], /^docker\.io\/library\/myapp {4}dev {17}[0-9a-f]{13} {7}\d+(\.\d+)?[kM]B$/);
  assert.match(ls[2], /^example\.com\/team\/layered {3}1\.0 {17}[0-9a-f]{13} {7}\d+(\.\d+)?[kM]B$/);

  const missing = kanzen(['rm', 'nginx']);
  assert.equal(missing.status, 1);
  assert.equal(missing.err, 'ERROR: no such image nginx\n');
  const rm = kanzen(['rm', 'myapp:dev']);
  assert.equal(rm.status, 0, rm.err);
  assert.equal(rm.out, 'Deleted: docker.io/library/myapp:dev\n');
  // The cluster is not running: nothing is in use, so prune removes the rest.
  const prune = kanzen(['prune']);
  assert.equal(prune.out, 'Deleted: example.com/team/layered:1.0\n');
  assert.equal(kanzen(['ls']).out, '');
  const store = path.join(home, 'images', 'store');
  assert.deepEqual(fs.readdirSync(path.join(store, 'blobs', 'sha256')), []);
  assert.deepEqual(fs.readdirSync(path.join(store, 'snapshots')), []);
});

test('kanzen image pull stores an image from a registry and prints crictl\'s line', { skip: testRegistryMissing() || (canBuildImages() ? false : 'needs root, umoci and busybox-static') }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-cli-pull-'));
  const registry = await startTestRegistry();
  t.after(async () => {
    await registry.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const layout = path.join(dir, 'oci');
  buildBusyboxImage(layout, { tag: 'v1', cmd: ['sh'] });
  await registry.push(layout, 'v1', 'team/app');
  const home = path.join(dir, 'home');
  const run = (args: string[]) => spawnSync(process.execPath, [MAIN, 'image', ...args, '--home', home], { encoding: 'utf8' });
  const pull = run(['pull', `${registry.host}/team/app:v1`]);
  assert.equal(pull.status, 0, pull.stderr);
  assert.match(pull.stdout, /^Image is up to date for sha256:[0-9a-f]{64}\n$/);
  assert.match(run(['ls']).stdout, new RegExp(`^${registry.host.replace(/\./g, '\\.')}/team/app +v1 +[0-9a-f]{13} `, 'm'));
  const missing = run(['pull', `${registry.host}/team/app:v2`]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^ERROR: pulling image: rpc error: code = NotFound desc = failed to pull and unpack image ".*\/team\/app:v2": failed to resolve reference ".*\/team\/app:v2": .*\/team\/app:v2: not found\n$/);
});
