// The shell images' roots, built from this machine's busybox-static, curl and dnsutils, and
// run with chroot(8): each carries what the real image carries and none of the host's other
// programs. Building needs those Debian packages (npm start installs them); chroot needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBuiltinImage } from './builtin-images.js';
import { parseImageReference } from './image-reference.js';
import { BUSYBOX_PATH, ensureShellRootfs, IMAGE_SCRIPT_ARGV, isStaticBinary, ShellRootfsError, type ShellRootfsSpec } from './shell-rootfs.js';

const isRoot = process.getuid?.() === 0;
const has = (p: string) => fs.existsSync(p);
const skip = !isRoot ? 'needs root for chroot' : !isStaticBinary(BUSYBOX_PATH) ? 'needs busybox-static' : !has('/usr/bin/curl') || !has('/usr/bin/dig') ? 'needs curl and dnsutils' : false;

function rootfsOf(image: string): ShellRootfsSpec {
  const spec = findBuiltinImage(parseImageReference(image))?.config(parseImageReference(image)).rootfs;
  assert.ok(spec, `${image} has a root filesystem`);
  return spec;
}

/** Runs a shell command in the root as a container would: chroot, the image's PATH, nothing else in the env. */
function inRoot(root: string, script: string): { status: number | null; out: string } {
  const r = spawnSync('chroot', [root, '/bin/sh', '-c', script], {
    encoding: 'utf8',
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('shell image roots hold exactly their image\'s programs', { skip }, () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-rootfs-'));
  try {
    const busybox = ensureShellRootfs(cache, rootfsOf('busybox:1.36'));
    // Built once: the same source files give the same root.
    assert.equal(ensureShellRootfs(cache, rootfsOf('busybox')), busybox);
    assert.equal(fs.readlinkSync(path.join(busybox, 'bin/sh')), '/bin/busybox');
    assert.equal(inRoot(busybox, 'which nslookup').out.trim(), '/bin/nslookup');
    for (const absent of ['apt-get', 'python3', 'curl', 'node', 'bash', 'dig']) {
      assert.notEqual(inRoot(busybox, `which ${absent}`).status, 0, `${absent} must not be in busybox`);
    }
    assert.match(inRoot(busybox, 'cat /etc/passwd').out, /^root:x:0:0:root:\/root:\/bin\/sh$/m);
    assert.match(inRoot(busybox, 'busybox | head -1').out, /^BusyBox v1\./);

    const curl = ensureShellRootfs(cache, rootfsOf('curlimages/curl:8.5.0'));
    assert.equal(inRoot(curl, 'which curl').out.trim(), '/usr/bin/curl');
    assert.match(inRoot(curl, 'curl --version').out, /^curl \d+\.\d+/);
    assert.equal(inRoot(curl, 'which wget').out.trim(), '/usr/bin/wget');
    for (const absent of ['apt-get', 'python3', 'dig', 'perl']) assert.notEqual(inRoot(curl, `which ${absent}`).status, 0, `${absent} must not be in curl`);
    // Only curl's own libraries, not the host's /usr/lib.
    const libs = fs.readdirSync(path.join(curl, 'lib/x86_64-linux-gnu'));
    assert.ok(libs.includes('libcurl.so.4') && libs.length < 60, libs.join(' '));

    const dnsutils = ensureShellRootfs(cache, rootfsOf('registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3'));
    assert.match(inRoot(dnsutils, 'dig -v').out, /^DiG 9\./m);
    // BIND's nslookup, not busybox's applet, whether run by sh or by env.
    assert.equal(inRoot(dnsutils, 'readlink -f "$(which nslookup)"').out.trim(), '/usr/bin/nslookup');
    assert.match(inRoot(dnsutils, 'nslookup -version').out, /^nslookup 9\./m);
    assert.match(inRoot(dnsutils, 'env nslookup -version').out, /^nslookup 9\./m);
    assert.match(inRoot(dnsutils, 'host -V').out, /host 9\./);
    assert.equal(inRoot(dnsutils, 'bash -c "echo \\$BASH_VERSION" | cut -d. -f1').status, 0);
    assert.notEqual(inRoot(dnsutils, 'which apt-get').status, 0);
    // The runtime's pty helper is there, off PATH.
    assert.ok(fs.existsSync(path.join(busybox, '.kanzen/script')));
    assert.notEqual(inRoot(busybox, 'which script').status, 0);
    // (it runs through the loader it carries; the e2e runs it on a pty)
    assert.match(inRoot(busybox, `${IMAGE_SCRIPT_ARGV.join(' ')} --version`).out, /^script from util-linux/);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('an image whose programs are missing on the machine cannot be built, and says which package', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-rootfs-'));
  try {
    const spec: ShellRootfsSpec = { name: 'broken', applets: 'full', programs: [{ path: '/usr/bin/kanzen-no-such-tool', debianPackage: 'kanzen-no-such-package' }] };
    assert.throws(
      () => ensureShellRootfs(cache, spec),
      (e: unknown) => e instanceof ShellRootfsError && /apt-get install (busybox-static|kanzen-no-such-package)/.test(e.message),
    );
    assert.deepEqual(fs.readdirSync(cache), []);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('isStaticBinary tells busybox-static from a dynamically linked program', { skip: !has(BUSYBOX_PATH) && 'no busybox' }, () => {
  assert.equal(isStaticBinary(process.execPath), false);
  assert.equal(isStaticBinary(BUSYBOX_PATH), !/=>/.test(spawnSync('ldd', [BUSYBOX_PATH], { encoding: 'utf8' }).stdout));
  assert.equal(isStaticBinary('/etc/hostname'), false);
});
