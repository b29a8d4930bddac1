// The shell stand-ins (busybox, alpine, curlimages/curl, jessie-dnsutils, debian, ubuntu) as real images in
// the store: one uncompressed layer made from the root that shell-rootfs.ts builds out of the
// host's busybox-static (plus curl, or BIND's dig and nslookup), with the real image's config
// (Entrypoint, Cmd, Env, User). Containers of stored images run under runc with the
// terminal handled from the host side, so shell-rootfs's /.kanzen pty helper is left out.
// The image is rebuilt when the host's source programs change: shell-rootfs names its root
// after them, and that name is kept in the image's labels.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_PATH, findBuiltinImage } from '../../images/builtin-images.js';
import { normalizedReference, type ImageReference } from '../../images/image-reference.js';
import { ensureShellRootfs, type ShellRootfsSpec } from '../../images/shell-rootfs.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { hostPlatform, MediaType, type ImageConfig, type ImageRuntimeConfig } from './oci.js';

/** Label holding the shell-rootfs build the image was made from. */
const ROOTFS_LABEL = 'io.kanzen.builtin.rootfs';

// curlimages/curl's entrypoint.sh: a first argument that is an option, or no program of that
// name, is curl's.
const CURL_ENTRYPOINT_SH = `#!/bin/sh
set -e

if [ "\${1#-}" != "\${1}" ] || [ -z "$(command -v "\${1}")" ]; then
  set -- curl "$@"
fi

exec "$@"
`;

interface ShellImageDef {
  config: ImageRuntimeConfig;
  /** Files of the real image the stand-in adds to the built root (path → content, mode). */
  extraFiles?: Record<string, { content: string; mode: number }>;
}

// The real images' configs (docker-library busybox and alpine, curl/curl-container,
// kubernetes/test/images/jessie-dnsutils on debian:jessie).
const SHELL_IMAGES: Record<string, ShellImageDef> = {
  busybox: { config: { Env: [`PATH=${DEFAULT_PATH}`], Cmd: ['sh'] } },
  alpine: { config: { Env: [`PATH=${DEFAULT_PATH}`], Cmd: ['/bin/sh'] } },
  curl: {
    config: { Env: [`PATH=${DEFAULT_PATH}`, 'CURL_CA_BUNDLE=/cacert.pem'], Entrypoint: ['/entrypoint.sh'], Cmd: ['curl'], User: 'curl_user' },
    extraFiles: { 'entrypoint.sh': { content: CURL_ENTRYPOINT_SH, mode: 0o755 } },
  },
  'jessie-dnsutils': { config: { Env: [`PATH=${DEFAULT_PATH}`], Cmd: ['bash'] } },
  debian: { config: { Env: [`PATH=${DEFAULT_PATH}`], Cmd: ['bash'] } },
  ubuntu: { config: { Env: [`PATH=${DEFAULT_PATH}`], Cmd: ['/bin/bash'] } },
};

const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

// curlimages/curl runs as curl_user (adduser -S on Alpine: uid 100, group curl_group 101).
const CURL_USER = { passwd: 'curl_user:x:100:101:Linux User,,,:/home/curl_user:/sbin/nologin\n', group: 'curl_group:x:101:curl_user\n' };

/**
 * The stored stand-in image for a shell-image reference (built into the store the first time
 * and when the host's programs change); undefined when the reference is not a shell image.
 */
export async function ensureBuiltinShellImage(store: ImageStore, ref: ImageReference): Promise<ImageRecord | undefined> {
  const builtin = findBuiltinImage(ref);
  const spec = builtin?.config(ref).rootfs;
  const def = spec && SHELL_IMAGES[spec.name];
  if (!spec || !def) return undefined;
  const name = normalizedReference(ref);
  const rootfs = ensureShellRootfs(path.join(store.root, 'builtin-rootfs'), spec);
  const built = path.basename(rootfs);
  const existing = store.getImage(name);
  if (existing?.source === 'builtin' && store.hasBlob(existing.config.digest) && store.configOf(existing).config?.Labels?.[ROOTFS_LABEL] === built) return existing;
  fs.mkdirSync(store.ingestDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(store.ingestDir, `builtin-${spec.name}-`));
  let layer: { digest: string; size: number };
  try {
    layer = await store.writeBlob(fs.createReadStream(layerTar(work, rootfs, spec, def)));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const config: ImageConfig = {
    ...hostPlatform(),
    created: '1970-01-01T00:00:00Z',
    config: { ...def.config, Labels: { [ROOTFS_LABEL]: built } },
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: `kanzen: ${builtin!.name} stand-in from the host's busybox-static`, comment: 'kanzen built-in' }],
  };
  const configBlob = await store.writeBlob(Buffer.from(JSON.stringify(config)));
  const manifestBlob = await store.writeBlob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, ...configBlob },
        layers: [{ mediaType: MediaType.ociLayer, ...layer }],
      }),
    ),
  );
  const manifest = { mediaType: MediaType.ociManifest, ...manifestBlob };
  return store.recordImage(name, manifest, manifest, 'builtin');
}

/**
 * The layer: the built root without /.kanzen, plus the real image's own files, as one
 * reproducible tar (sorted, numeric owners, mtime 0) made by GNU tar in work/.
 */
function layerTar(work: string, rootfs: string, spec: ShellRootfsSpec, def: ShellImageDef): string {
  const out = path.join(work, 'layer.tar');
  const common = ['--numeric-owner', '--sort=name', '--mtime=@0', '--format=posix', '--pax-option=delete=atime,delete=ctime'];
  const tar = (args: string[]) => execFileSync('tar', [...args, ...common], { stdio: ['ignore', 'ignore', 'pipe'] });
  const extra = path.join(work, 'extra');
  const excluded = ['./.kanzen'];
  if (spec.name === 'curl') {
    writeFile(extra, 'etc/passwd', fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8') + CURL_USER.passwd, 0o644);
    writeFile(extra, 'etc/group', fs.readFileSync(path.join(rootfs, 'etc/group'), 'utf8') + CURL_USER.group, 0o644);
    excluded.push('./etc/passwd', './etc/group');
    fs.mkdirSync(path.join(extra, 'home/curl_user'), { recursive: true, mode: 0o755 });
  }
  const extraFiles = { ...def.extraFiles };
  // curlimages/curl carries its CA bundle at /cacert.pem (CURL_CA_BUNDLE): the host's serves.
  if (spec.name === 'curl' && fs.existsSync(HOST_CA_BUNDLE)) extraFiles['cacert.pem'] = { content: fs.readFileSync(HOST_CA_BUNDLE, 'utf8'), mode: 0o644 };
  for (const [f, { content, mode }] of Object.entries(extraFiles)) writeFile(extra, f, content, mode);
  tar(['--create', `--file=${out}`, '--owner=0', '--group=0', ...excluded.map((e) => `--exclude=${e}`), `--directory=${rootfs}`, '.']);
  if (fs.existsSync(extra)) {
    // Only the extra files (their directories are in the root already, or are the user's home).
    const files = Object.keys(extraFiles).concat(spec.name === 'curl' ? ['etc/passwd', 'etc/group'] : []);
    tar(['--append', `--file=${out}`, '--owner=0', '--group=0', '--no-recursion', `--directory=${extra}`, ...files]);
    if (spec.name === 'curl') tar(['--append', `--file=${out}`, '--owner=100', '--group=101', '--no-recursion', `--directory=${extra}`, 'home/curl_user']);
  }
  return out;
}

function writeFile(root: string, rel: string, content: string, mode: number): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
  fs.writeFileSync(p, content, { mode });
  fs.chmodSync(p, mode);
}
