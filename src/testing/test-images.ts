// OCI image layouts for tests, built with umoci (Debian) over Debian's busybox-static: a root
// of /bin/busybox and /bin/sh, optional files, optional extra layers of random bytes (distinct
// digests, for parallel-fetch and corruption tests), and multi-platform indexes. The layouts
// are what `skopeo copy oci:<dir>:<tag> …` pushes and `kanzen image load` reads.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUSYBOX_PATH } from '../images/shell-rootfs.js';
import { MediaType, sha256Digest, type Descriptor, type ImageIndex, type Platform } from '../node/images/oci.js';


export interface BusyboxImageOptions {
  /** The tag in the layout (`org.opencontainers.image.ref.name`). */
  tag: string;
  /** GOARCH of the config (the busybox binary stays this host's). */
  architecture?: string;
  /** Files to put in the image's first layer, path (absolute in the image) → content. */
  files?: Record<string, string>;
  /** Extra layers of this many random bytes each (one file `/layer-<n>` per layer). */
  extraLayers?: number[];
  cmd?: string[];
  /** Link every busybox applet into /bin, as the busybox image does (default: only /bin/sh). */
  applets?: boolean;
}

function umoci(...args: string[]): void {
  execFileSync('umoci', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Adds (or replaces) a busybox image under opts.tag in the layout at dir, creating the layout if needed. */
export function buildBusyboxImage(dir: string, opts: BusyboxImageOptions): void {
  if (!fs.existsSync(path.join(dir, 'index.json'))) {
    // umoci makes the directory itself (an empty mkdtemp one is fine to replace).
    if (fs.existsSync(dir)) fs.rmdirSync(dir);
    umoci('init', '--layout', dir);
  }
  const image = `${dir}:${opts.tag}`;
  umoci('new', '--image', image);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kanzen-image-'));
  try {
    const root = path.join(work, 'root');
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.copyFileSync(BUSYBOX_PATH, path.join(root, 'bin', 'busybox'));
    fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    fs.symlinkSync('busybox', path.join(root, 'bin', 'sh'));
    if (opts.applets) {
      const list = execFileSync(BUSYBOX_PATH, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox' && a !== 'sh');
      for (const a of list) fs.symlinkSync('busybox', path.join(root, 'bin', a));
    }
    for (const [p, content] of Object.entries(opts.files ?? {})) {
      const f = path.join(root, p);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, content);
    }
    umoci('insert', '--image', image, root, '/');
    (opts.extraLayers ?? []).forEach((size, i) => {
      const f = path.join(work, `layer-${i + 1}`);
      fs.writeFileSync(f, randomBytes(size));
      umoci('insert', '--image', image, f, `/layer-${i + 1}`);
    });
    umoci('config', '--image', image, '--os', 'linux', '--architecture', opts.architecture ?? 'amd64', ...(opts.cmd ?? ['/bin/sh']).map((a) => `--config.cmd=${a}`));
    umoci('gc', '--layout', dir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

interface LayoutIndex {
  schemaVersion: 2;
  manifests: Descriptor[];
}

const refName = 'org.opencontainers.image.ref.name';

function readLayoutIndex(dir: string): LayoutIndex {
  return JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as LayoutIndex;
}

/** The descriptor a tag names in the layout. */
export function layoutDescriptor(dir: string, tag: string): Descriptor {
  const d = readLayoutIndex(dir).manifests.find((m) => m.annotations?.[refName] === tag);
  if (!d) throw new Error(`${dir}: no tag ${tag}`);
  return d;
}

/** Writes an image index of the tagged manifests, each with its platform, and tags it; returns its descriptor. */
export function addImageIndex(dir: string, tag: string, members: Array<{ tag: string; platform: Platform }>): Descriptor {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: members.map((m) => {
      const d = layoutDescriptor(dir, m.tag);
      return { mediaType: d.mediaType, digest: d.digest, size: d.size, platform: m.platform };
    }),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  const digest = sha256Digest(bytes);
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
  const layout = readLayoutIndex(dir);
  const desc: Descriptor = { mediaType: MediaType.ociIndex, digest, size: bytes.length };
  layout.manifests = [...layout.manifests.filter((m) => m.annotations?.[refName] !== tag), { ...desc, annotations: { [refName]: tag } }];
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(layout));
  return desc;
}
