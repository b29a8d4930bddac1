import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseImageReference } from '../../images/image-reference.js';
import { ensureBuiltinShellImage } from './builtin-shell-images.js';
import { ImageStore } from './image-store.js';
import { ensureSnapshots } from './snapshots.js';

const skip = process.getuid?.() === 0 && fs.existsSync('/bin/busybox') && fs.existsSync('/usr/bin/curl') ? false : 'needs root, busybox-static and curl';

test('the shell stand-ins are one-layer images in the store with the real images config', { skip }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kz-builtin-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = new ImageStore(path.join(dir, 'store'));
  assert.equal(await ensureBuiltinShellImage(store, parseImageReference('nginx')), undefined, 'nginx is a built-in program, not a shell image');

  const busybox = (await ensureBuiltinShellImage(store, parseImageReference('busybox')))!;
  assert.equal(busybox.name, 'docker.io/library/busybox:latest');
  assert.equal(busybox.source, 'builtin');
  assert.equal(busybox.layers.length, 1);
  assert.deepEqual(store.configOf(busybox).config?.Cmd, ['sh']);
  const again = await ensureBuiltinShellImage(store, parseImageReference('docker.io/library/busybox:latest'));
  assert.equal(again!.config.digest, busybox.config.digest, 'kept while the host programs are unchanged');
  const [bfs] = await ensureSnapshots(store, busybox);
  assert.ok(fs.lstatSync(path.join(bfs, 'bin/busybox')).isFile());
  assert.equal(fs.readlinkSync(path.join(bfs, 'bin/nslookup')), '/bin/busybox');
  assert.equal(fs.existsSync(path.join(bfs, '.kanzen')), false, 'no pty helper');
  assert.equal(fs.existsSync(path.join(bfs, 'usr/bin/curl')), false, 'busybox has no curl');

  const curl = (await ensureBuiltinShellImage(store, parseImageReference('curlimages/curl:8.5.0')))!;
  assert.equal(curl.name, 'docker.io/curlimages/curl:8.5.0');
  const cfg = store.configOf(curl).config!;
  assert.deepEqual([cfg.Entrypoint, cfg.Cmd, cfg.User], [['/entrypoint.sh'], ['curl'], 'curl_user']);
  const [cfs] = await ensureSnapshots(store, curl);
  assert.ok(fs.existsSync(path.join(cfs, 'usr/bin/curl')));
  assert.match(fs.readFileSync(path.join(cfs, 'etc/passwd'), 'utf8'), /^curl_user:x:100:101:/m);
  assert.equal(fs.statSync(path.join(cfs, 'home/curl_user')).uid, 100);
  // The entrypoint as the real one behaves: options are curl's, programs run as they are.
  const sh = (args: string[]) => execFileSync('chroot', [cfs, '/entrypoint.sh', ...args], { encoding: 'utf8' });
  assert.match(sh(['--version']), /^curl /);
  assert.equal(sh(['echo', 'hi']), 'hi\n');
});
