#!/usr/bin/env node
// Makes a fresh clone ready: installs npm packages when missing or stale, builds with tsc,
// and (with --test) installs the Debian packages whose real tools the tests use.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--test');

function run(cmd, args, opts = {}, attempts = 1) {
  for (let i = 1; ; i++) {
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
    if (r.status === 0) return;
    if (i >= attempts) {
      console.error(`ensure: ${cmd} ${args.join(' ')} failed (exit ${r.status})`);
      process.exit(r.status ?? 1);
    }
    // Package mirrors and registries fail transiently: wait a little and try again.
    console.error(`ensure: ${cmd} failed (exit ${r.status}), retrying`);
    spawnSync('sleep', [String(5 * i)]);
  }
}

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

// npm packages
const marker = path.join(root, 'node_modules', '.package-lock.json');
// A node_modules that links to another checkout's (a git worktree's) is that checkout's to
// keep: npm ci would empty it through the link.
const linked = fs.lstatSync(path.join(root, 'node_modules'), { throwIfNoEntry: false })?.isSymbolicLink() === true;
if (!linked && (!fs.existsSync(marker) || mtime(path.join(root, 'package-lock.json')) > mtime(marker))) {
  console.error('ensure: installing npm packages');
  run('npm', ['ci', '--no-audit', '--no-fund'], {}, 3);
}

// Debian packages for the real tools the runtime and tests drive (command → package). The
// shell images (src/images/shell-rootfs.ts) are built from busybox-static, curl and dnsutils,
// so `npm start` needs them as much as the tests do. runc runs the containers of OCI images
// (src/node/runc.ts).
// Image layers are unpacked by GNU tar (tar) and zstd-compressed ones decompressed by zstd.
// The tests build images with umoci and skopeo (and a real nginx image with mmdebstrap),
// read xattrs with getfattr (attr), and serve them from the CNCF distribution registry.
const tools = {
  dig: 'dnsutils',
  ip: 'iproute2',
  nsenter: 'util-linux',
  nft: 'nftables',
  // The nftables Service proxy deletes stale UDP conntrack entries (src/proxy/nftables/conntrack.ts).
  conntrack: 'conntrack',
  curl: 'curl',
  runc: 'runc',
  tar: 'tar',
  zstd: 'zstd',
  // The image tests' registry, pusher, image builders, bcrypt htpasswd and xattr reader.
  ...(forTests
    ? { 'docker-registry': 'docker-registry', skopeo: 'skopeo', umoci: 'umoci', mmdebstrap: 'mmdebstrap', htpasswd: 'apache2-utils', getfattr: 'attr' }
    : {}),
};
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
// Python modules the tests import (module → package): the official Python client.
const pyModules = forTests ? { kubernetes: 'python3-kubernetes' } : {};
// Debian's interpreter, which the package installs for (not a pyenv python3 on PATH).
const hasModule = (mod) => spawnSync('/usr/bin/python3', ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
// busybox-static by package, not by command: Debian's dynamically linked busybox has the same path.
const installed = (pkg) => (spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout ?? '').includes('install ok installed');
const missing = [
  ...new Set([
    ...Object.entries(tools).filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg),
    ...Object.entries(pyModules).filter(([mod]) => !hasModule(mod)).map(([, pkg]) => pkg),
  ]),
];
if (has('dpkg-query') && !installed('busybox-static')) missing.push('busybox-static');
if (missing.length) {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    console.error(`ensure: installing ${missing.join(' ')}`);
    run('apt-get', ['update', '-qq'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }, 3);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }, 3);
  } else {
    console.error(`ensure: missing tools (${missing.join(', ')}); install them with apt-get as root. ${forTests ? 'Some tests will be skipped.' : 'Pods of the shell images (busybox, curlimages/curl, …) will fail to start.'}`);
  }
}

// Build
console.error('ensure: building (tsc)');
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [path.join(root, 'scripts', 'build-native.mjs')], { cwd: root, stdio: 'inherit' });
