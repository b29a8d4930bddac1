import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogImageResolver } from './image-resolver.js';
import { ImagePullError } from './container-runtime.js';
import type { ResolvedImage as CatalogImage } from '../image-catalog.js';
import { BUSYBOX_PATH, isStaticBinary } from '../../images/shell-rootfs.js';

const container = (image: string) => ({ name: 'c', image });
const ctx = { pod: { metadata: { name: 'p' }, spec: { containers: [] } }, pulling: () => undefined };

test('a shell image whose root cannot be prepared is a pull error, never the host\'s programs', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-resolver-'));
  try {
    // The cache directory cannot exist (a file is in the way).
    fs.writeFileSync(path.join(dir, 'file'), '');
    const resolver = catalogImageResolver({ rootfsCacheDir: path.join(dir, 'file', 'rootfs') });
    await assert.rejects(
      async () => resolver.resolve(container('busybox:1.36'), ctx),
      (e: unknown) => e instanceof ImagePullError && e.reason === 'ErrImagePull' && /busybox/.test(e.message),
    );
    // Built-in programs need no root of their own.
    assert.equal(((await resolver.resolve(container('nginx'), ctx)).launch as CatalogImage).rootDir, undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a shell image resolves to its built root', { skip: !isStaticBinary(BUSYBOX_PATH) && 'needs busybox-static' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-resolver-'));
  try {
    const resolved = await catalogImageResolver({ rootfsCacheDir: dir }).resolve(container('busybox'), ctx);
    const rootDir = (resolved.launch as CatalogImage).rootDir;
    assert.ok(rootDir && rootDir.startsWith(dir + path.sep));
    assert.equal(fs.readlinkSync(path.join(rootDir, 'bin/sh')), '/bin/busybox');
    assert.equal(resolved.image, 'docker.io/library/busybox:latest');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
