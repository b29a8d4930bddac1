#!/usr/bin/env node
// Image pull + unpack: the same image from the same local registry (Debian's docker-registry
// on 127.0.0.1, plain HTTP, src/testing/test-registry.ts) into an empty store, by kanzen
// (pullImage, then ensureSnapshots: every layer unpacked into its snapshot directory, as a
// node agent does before a container's first start) against `skopeo copy docker://… oci:…`
// then `umoci unpack` of that layout (the reference). Both verify every digest.
// Images:
//   nginx    the real Debian nginx image of src/testing/debian-nginx-image.ts (one layer of a
//            minbase Debian with nginx-light: tens of MB, thousands of files), built once per
//            machine with mmdebstrap;
//   busybox  busybox plus --layers layers of one file of --mib MiB of random bytes (gzip
//            cannot shrink them: the bytes on the wire are the layer sizes; few files).
// Each side is timed for the pull alone and for pull + unpack; median of --runs runs each,
// the sides alternated, after one warm-up each (the registry's files in the page cache).
//
//   npx tsc -p tsconfig.json && node bench/image-pull/run.mjs [--runs 5] [--images nginx,busybox] [--layers 4] [--mib 16]
//
// As root (unpacking keeps the layers' owners). Installs what is missing with apt-get:
// docker-registry, skopeo, umoci, apache2-utils, mmdebstrap (the nginx image is built the
// first time, from a Debian mirror). Network
// safety: every request goes to the registry this script starts on 127.0.0.1, a bounded
// number of times; the registry is stopped by its recorded PID.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist, ensurePackages, opt } from '../lib.mjs';

const runs = Number(opt('runs', 5));
const images = opt('images', 'nginx,busybox').split(',');
const layers = Number(opt('layers', 4));
const mib = Number(opt('mib', 16));
const load = (p) => import(pathToFileURL(path.join(dist, p)).href);
const { startTestRegistry, testRegistryMissing } = await load('testing/test-registry.js');
const { buildBusyboxImage } = await load('testing/test-images.js');
const { debianNginxImage } = await load('testing/debian-nginx-image.js');
const { pullImage } = await load('node/images/image-pull.js');
const { ImageStore } = await load('node/images/image-store.js');
const { ensureSnapshots } = await load('node/images/snapshots.js');

if (process.getuid?.() !== 0) {
  console.error('image-pull bench: run as root (unpacked layers keep their owners)');
  process.exit(1);
}
ensurePackages('bench/image-pull', { 'docker-registry': 'docker-registry', skopeo: 'skopeo', umoci: 'umoci', htpasswd: 'apache2-utils', mmdebstrap: 'mmdebstrap', tar: 'tar' });
const missing = testRegistryMissing();
if (missing) {
  console.error(`image-pull bench: ${missing}`);
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-bench-pull-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(' ');
let n = 0;

/** kanzen: pullImage into an empty store, then every layer unpacked; both times. */
async function kanzenSide(ref) {
  const store = new ImageStore(path.join(work, `store-${n++}`));
  try {
    const t0 = process.hrtime.bigint();
    const rec = await pullImage(store, ref);
    const pull = ms(t0);
    await ensureSnapshots(store, rec);
    return { pull, total: ms(t0), size: rec.size };
  } finally {
    fs.rmSync(store.root, { recursive: true, force: true });
  }
}

/** The reference: skopeo copy into an OCI layout, then umoci unpack of it into a bundle. */
function referenceSide(ref) {
  const dest = path.join(work, `oci-${n++}`);
  const bundle = path.join(work, `bundle-${n++}`);
  try {
    const t0 = process.hrtime.bigint();
    execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${dest}:bench`]);
    const pull = ms(t0);
    execFileSync('umoci', ['unpack', '--image', `${dest}:bench`, bundle], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { pull, total: ms(t0) };
  } finally {
    fs.rmSync(dest, { recursive: true, force: true });
    fs.rmSync(bundle, { recursive: true, force: true });
  }
}

/** Files and bytes of the unpacked image (one unpack, for the table's description). */
function unpackedSize(layout, tag) {
  const bundle = path.join(work, 'count');
  execFileSync('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle], { stdio: ['ignore', 'ignore', 'pipe'] });
  const files = Number(execFileSync('sh', ['-c', 'find "$1" | wc -l', 'sh', path.join(bundle, 'rootfs')], { encoding: 'utf8' }).trim());
  const bytes = Number(execFileSync('du', ['-sb', path.join(bundle, 'rootfs')], { encoding: 'utf8' }).split('\t')[0]);
  fs.rmSync(bundle, { recursive: true, force: true });
  return { files, bytes };
}

function source(image) {
  if (image === 'nginx') return { ...debianNginxImage(), label: 'Debian nginx-light (real nginx)' };
  if (image === 'busybox') {
    const layout = path.join(work, 'busybox-layout');
    buildBusyboxImage(layout, { tag: 'bench', extraLayers: Array.from({ length: layers }, () => mib * 1024 * 1024) });
    return { layout, tag: 'bench', label: `busybox + ${layers} × ${mib} MiB random layers` };
  }
  throw new Error(`unknown image ${image}: nginx or busybox`);
}

let reg;
try {
  reg = await startTestRegistry();
  const rows = [];
  for (const image of images) {
    const src = source(image);
    await reg.push(src.layout, src.tag, `bench-${image}:1`);
    const ref = `${reg.host}/bench-${image}:1`;
    const { files, bytes } = unpackedSize(src.layout, src.tag);
    const { size } = await kanzenSide(ref);
    referenceSide(ref);
    const ours = [];
    const theirs = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which side goes first: a noisy neighbour hurts both alike.
      if (i % 2 === 0) {
        ours.push(await kanzenSide(ref));
        theirs.push(referenceSide(ref));
      } else {
        theirs.push(referenceSide(ref));
        ours.push(await kanzenSide(ref));
      }
    }
    const row = {
      image: src.label,
      compressedMiB: size / 1024 / 1024,
      files,
      unpackedMiB: bytes / 1024 / 1024,
      kanzenPull: median(ours.map((x) => x.pull)),
      kanzenTotal: median(ours.map((x) => x.total)),
      refPull: median(theirs.map((x) => x.pull)),
      refTotal: median(theirs.map((x) => x.total)),
    };
    rows.push(row);
    console.log(`${row.image}: ${row.compressedMiB.toFixed(1)} MiB compressed, ${files} files, ${row.unpackedMiB.toFixed(1)} MiB unpacked`);
    console.log(`  kanzen pull:             median ${row.kanzenPull.toFixed(0)} ms (${fmt(ours.map((x) => x.pull))})`);
    console.log(`  kanzen pull + unpack:    median ${row.kanzenTotal.toFixed(0)} ms (${fmt(ours.map((x) => x.total))})`);
    console.log(`  skopeo copy:             median ${row.refPull.toFixed(0)} ms (${fmt(theirs.map((x) => x.pull))})`);
    console.log(`  skopeo + umoci unpack:   median ${row.refTotal.toFixed(0)} ms (${fmt(theirs.map((x) => x.total))})`);
    console.log(`  reference / kanzen: pull ${(row.refPull / row.kanzenPull).toFixed(2)}×, pull + unpack ${(row.refTotal / row.kanzenTotal).toFixed(2)}× (goal ≥ 1)`);
  }
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
  console.log(JSON.stringify(rows));
} finally {
  await reg?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
