#!/usr/bin/env node
// Image pull: the same image from the same local registry (Debian's docker-registry on
// 127.0.0.1, plain HTTP, src/testing/test-registry.ts) into an empty store, by kanzen's
// puller (pullImage, in process, as a node agent runs it) and by `skopeo copy` into an OCI
// layout — the pull half of the "pull + unpack against skopeo copy + umoci unpack"
// (the unpack half belongs to the snapshotter's benchmark). Both verify every digest; the
// image is busybox plus --layers layers of --mib MiB of random bytes each (gzip cannot shrink
// them, so the bytes on the wire are the layer sizes). Median of --runs runs each, alternated,
// after one warm-up each (the registry's files in the page cache for both).
//
//   npx tsc -p tsconfig.json && node bench/image-pull/run.mjs [--runs 7] [--layers 4] [--mib 16]
//
// Needs docker-registry, skopeo and umoci (npm test installs them). Network safety: every
// request goes to the registry this script starts on 127.0.0.1, a bounded number of times.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist, opt } from '../lib.mjs';

const runs = Number(opt('runs', 7));
const layers = Number(opt('layers', 4));
const mib = Number(opt('mib', 16));
const load = (p) => import(pathToFileURL(path.join(dist, p)).href);
const { startTestRegistry, testRegistryMissing } = await load('testing/test-registry.js');
const { buildBusyboxImage } = await load('testing/test-images.js');
const { pullImage } = await load('node/images/image-pull.js');
const { ImageStore } = await load('node/images/image-store.js');

const missing = testRegistryMissing();
if (missing) {
  console.error(`image-pull bench: ${missing}`);
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-bench-pull-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
let reg;
try {
  const layout = path.join(work, 'layout');
  buildBusyboxImage(layout, { tag: 'bench', extraLayers: Array.from({ length: layers }, () => mib * 1024 * 1024) });
  reg = await startTestRegistry();
  await reg.push(layout, 'bench', 'bench:1');
  const ref = `${reg.host}/bench:1`;

  let n = 0;
  const kanzenPull = async () => {
    const store = new ImageStore(path.join(work, `store-${n++}`));
    const t0 = process.hrtime.bigint();
    const rec = await pullImage(store, ref);
    const t = ms(t0);
    fs.rmSync(store.root, { recursive: true, force: true });
    return { t, size: rec.size };
  };
  const skopeoCopy = () => {
    const dest = path.join(work, `oci-${n++}`);
    const t0 = process.hrtime.bigint();
    execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${dest}:bench`]);
    const t = ms(t0);
    fs.rmSync(dest, { recursive: true, force: true });
    return t;
  };

  const { size } = await kanzenPull();
  skopeoCopy();
  const ours = [];
  const theirs = [];
  for (let i = 0; i < runs; i++) {
    ours.push((await kanzenPull()).t);
    theirs.push(skopeoCopy());
  }
  const a = median(ours);
  const b = median(theirs);
  console.log(`image: busybox + ${layers} × ${mib} MiB layers, ${(size / 1024 / 1024).toFixed(1)} MiB config + layers`);
  console.log(`kanzen pullImage: median ${a.toFixed(0)} ms (${ours.map((x) => x.toFixed(0)).join(' ')})`);
  console.log(`skopeo copy:      median ${b.toFixed(0)} ms (${theirs.map((x) => x.toFixed(0)).join(' ')})`);
  console.log(`skopeo / kanzen: ${(b / a).toFixed(2)}× (goal ≥ 1)`);
} finally {
  await reg?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
