// `kanzen image load`: images from archives, as containerd's importer (`ctr images import`,
// which `kind load image-archive` runs) reads them:
//   - `docker save` archives: manifest.json lists each image's Config, RepoTags and Layers
//     (the old layout with <id>/layer.tar, and Docker 25+'s, which is also an OCI layout);
//   - OCI archives (a tar of an OCI image layout) and OCI layout directories.
// An archive with an oci-layout file is read as OCI (containerd prefers it). Members stream
// straight into the store's blobs (verified against their digest when the name gives one);
// only small files (JSON) are held in memory, so `docker save x | kanzen image load -` works
// for any size. For docker-format images the Docker schema 2 manifest is made as containerd's
// importer makes it (same fields, same order: the same manifest digest as after ctr import).
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { normalizedReference, parseImageReference } from '../../images/image-reference.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { isDigest, isIndexMediaType, MediaType, selectPlatformManifest, type Descriptor, type ImageIndex, type ImageManifest } from './oci.js';
import { cleanPath } from './layer-unpack.js';
import { readTarMembers } from './tar-format.js';

export class ImageArchiveError extends Error {}

// An uncompressed Docker layer (docker save's layer.tar); oci.ts lists only the registry forms.
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';
/** Members up to this size are kept in memory (manifests, configs, index.json); larger ones stream to the store. */
const SMALL = 1 << 20;
/** containerd's importer reads JSON members up to 20 MiB. */
const JSON_LIMIT = 20 << 20;
// containerd's annotation with the full image name; OCI's ref.name is often only a tag.
const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

/** Where an archive's files are read from: a tar stream's members or a layout directory. */
interface ArchiveFiles {
  has(name: string): boolean;
  /** A small file's bytes (JSON). */
  read(name: string): Buffer;
  /** A file put into the store as a blob (verified against expected.digest when given). */
  blob(name: string, expected?: { digest?: string; size?: number }): Promise<{ digest: string; size: number }>;
}

/** Loads every image of a docker-save or OCI archive (a path, `-` for stdin, or a stream) or OCI layout directory. */
export async function loadImageArchive(store: ImageStore, input: string | NodeJS.ReadableStream): Promise<ImageRecord[]> {
  if (typeof input === 'string' && input !== '-' && fs.statSync(input).isDirectory()) return importFiles(store, layoutDirectory(store, input));
  const stream = input === '-' ? process.stdin : typeof input === 'string' ? fs.createReadStream(input, { highWaterMark: 1 << 20 }) : input;
  return importFiles(store, await readArchive(store, stream));
}

async function importFiles(store: ImageStore, files: ArchiveFiles): Promise<ImageRecord[]> {
  if (files.has('oci-layout')) return importOciLayout(store, files);
  if (files.has('manifest.json')) return importDockerArchive(store, files);
  throw new ImageArchiveError('unrecognized image format: neither a docker save archive (manifest.json) nor an OCI layout (oci-layout)');
}

// ---- OCI layouts ----------------------------------------------------------------

async function importOciLayout(store: ImageStore, files: ArchiveFiles): Promise<ImageRecord[]> {
  const layout = parseJson<{ imageLayoutVersion?: string }>(files, 'oci-layout');
  if (layout.imageLayoutVersion !== '1.0.0') throw new ImageArchiveError(`unsupported OCI version ${layout.imageLayoutVersion}`);
  if (!files.has('index.json')) throw new ImageArchiveError('missing index.json in OCI layout 1.0.0');
  const index = parseJson<ImageIndex>(files, 'index.json');
  const out: ImageRecord[] = [];
  for (const desc of index.manifests ?? []) {
    const manifest = await platformManifest(files, desc);
    if (!manifest) continue; // an attestation or another platform's image only
    await storeImageBlobs(files, manifest);
    const name = ociImageName(desc) ?? digestName(desc.digest);
    out.push(store.recordImage(name, desc, manifest, 'load'));
  }
  return out;
}

/** The descriptor's own manifest, or the one for this host out of an index (stored, with the index). */
async function platformManifest(files: ArchiveFiles, desc: Descriptor): Promise<Descriptor | undefined> {
  let d = desc;
  for (let depth = 0; depth < 4; depth++) {
    const blob = await files.blob(blobName(d.digest), { digest: d.digest, size: d.size });
    if (!isIndexMediaType(d.mediaType)) return { ...d, digest: blob.digest };
    const next = selectPlatformManifest(parseJson<ImageIndex>(files, blobName(d.digest)));
    if (!next) return undefined;
    d = next;
  }
  throw new ImageArchiveError(`image index ${desc.digest} nests too deeply`);
}

async function storeImageBlobs(files: ArchiveFiles, manifest: Descriptor): Promise<void> {
  const m = parseJson<ImageManifest>(files, blobName(manifest.digest));
  for (const d of [m.config, ...m.layers]) await files.blob(blobName(d.digest), { digest: d.digest, size: d.size });
}

/** The image's name as containerd names it: its own annotation, else a ref.name that is a whole reference (a bare tag names nothing). */
function ociImageName(desc: Descriptor): string | undefined {
  const full = desc.annotations?.[ANNOTATION_IMAGE_NAME];
  if (full) return normalize(full);
  const ref = desc.annotations?.[ANNOTATION_REF_NAME];
  if (ref && /[/:@]/.test(ref)) return normalize(ref);
  return undefined;
}

function blobName(digest: string): string {
  if (!isDigest(digest)) throw new ImageArchiveError(`unsupported digest ${JSON.stringify(digest)}`);
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

// ---- docker save ------------------------------------------------------------------

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

async function importDockerArchive(store: ImageStore, files: ArchiveFiles): Promise<ImageRecord[]> {
  const entries = parseJson<DockerManifestEntry[]>(files, 'manifest.json');
  if (!Array.isArray(entries)) throw new ImageArchiveError('manifest.json is not a list of images');
  const out: ImageRecord[] = [];
  for (const e of entries) {
    if (!files.has(e.Config)) throw new ImageArchiveError(`image config "${e.Config}" not found`);
    const config = await files.blob(e.Config);
    const layers: Descriptor[] = [];
    for (const l of e.Layers ?? []) {
      if (!files.has(l)) throw new ImageArchiveError(`layer "${l}" not found`);
      const blob = await files.blob(l);
      layers.push({ mediaType: sniffLayerMediaType(store, blob.digest), ...blob });
    }
    // Field order as containerd's importer marshals it: the same bytes, the same digest.
    const manifestBytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.dockerManifest,
        config: { mediaType: MediaType.dockerConfig, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      }),
    );
    const manifest: Descriptor = { mediaType: MediaType.dockerManifest, ...(await store.writeBlob(manifestBytes)) };
    const names = (e.RepoTags ?? []).map(normalize);
    for (const name of names.length ? names : [digestName(manifest.digest)]) out.push(store.recordImage(name, manifest, manifest, 'load'));
  }
  return out;
}

/** A docker-save layer's media type from its first bytes, as containerd's importer detects it. */
function sniffLayerMediaType(store: ImageStore, digest: string): string {
  const fd = fs.openSync(store.blobPath(digest), 'r');
  const head = Buffer.alloc(4);
  try {
    fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return MediaType.dockerLayerGzip;
  // containerd calls every compressed layer gzip; zstd is named as such so it unpacks right.
  if (head.readUInt32LE(0) === 0xfd2fb528) return MediaType.ociLayerZstd;
  return DOCKER_LAYER;
}

// ---- names ---------------------------------------------------------------------------

function normalize(ref: string): string {
  try {
    return normalizedReference(parseImageReference(ref));
  } catch (err) {
    throw new ImageArchiveError(`normalize image ref "${ref}": ${(err as Error).message}`);
  }
}

/** An image without a name gets ctr import --digests' name: import-<date>@<digest>. */
function digestName(digest: string): string {
  return normalize(`import-${new Date().toISOString().slice(0, 10)}@${digest}`);
}

function parseJson<T>(files: ArchiveFiles, name: string): T {
  try {
    return JSON.parse(files.read(name).toString('utf8')) as T;
  } catch (err) {
    throw new ImageArchiveError(`${name}: ${(err as Error).message}`);
  }
}

// ---- sources -------------------------------------------------------------------------

/** An OCI layout directory: files read where they are. */
function layoutDirectory(store: ImageStore, dir: string): ArchiveFiles {
  const at = (name: string) => path.join(dir, ...cleanPath(name));
  return {
    has: (name) => fs.existsSync(at(name)),
    read: (name) => readLimited(at(name)),
    blob: (name, expected) => store.writeBlob(fs.createReadStream(at(name), { highWaterMark: 1 << 20 }), expected),
  };
}

function readLimited(file: string): Buffer {
  if (fs.statSync(file).size > JSON_LIMIT) throw new ImageArchiveError(`${path.basename(file)} is larger than ${JSON_LIMIT} bytes`);
  return fs.readFileSync(file);
}

/**
 * Reads a tar stream (gzip-compressed or not) once: large members go to the store as they
 * stream by, small ones stay in memory until the manifests say what they are.
 */
async function readArchive(store: ImageStore, stream: NodeJS.ReadableStream): Promise<ArchiveFiles> {
  const small = new Map<string, Buffer>();
  const stored = new Map<string, { digest: string; size: number }>();
  const symlinks = new Map<string, string>();
  for await (const m of readTarMembers(maybeGunzip(stream))) {
    const name = cleanPath(m.entry.name).join('/');
    if (m.entry.type === 'symlink') symlinks.set(name, cleanPath(path.posix.join(path.posix.dirname(name), m.entry.linkname)).join('/'));
    if (m.entry.type !== 'file') continue;
    if (m.entry.size <= SMALL) {
      const chunks: Buffer[] = [];
      for await (const c of m.data) chunks.push(c);
      small.set(name, Buffer.concat(chunks));
      continue;
    }
    const named = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
    stored.set(name, await store.writeBlob(Readable.from(m.data), { digest: named ? `sha256:${named[1]}` : undefined, size: m.entry.size }));
  }
  // Docker 25+ writes <id>/layer.tar as symlinks to blobs/sha256/<hex>.
  const resolve = (name: string): string => {
    for (let i = 0; i < 16 && symlinks.has(name); i++) name = symlinks.get(name)!;
    return name;
  };
  return {
    has: (name) => small.has(resolve(name)) || stored.has(resolve(name)),
    read: (name) => {
      const b = small.get(resolve(name));
      if (!b) throw new ImageArchiveError(`${name} is missing or too large`);
      return b;
    },
    blob: async (name, expected) => {
      const n = resolve(name);
      const s = stored.get(n);
      if (s) {
        if (expected?.digest && s.digest !== expected.digest) throw new ImageArchiveError(`${name}: digest mismatch: expected ${expected.digest}, got ${s.digest}`);
        return s;
      }
      const b = small.get(n);
      if (!b) throw new ImageArchiveError(`${name} not found in the archive`);
      const named = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(n);
      return store.writeBlob(b, { digest: expected?.digest ?? (named ? `sha256:${named[1]}` : undefined), size: expected?.size });
    },
  };
}

/** The stream, gunzipped when it starts with gzip's magic (docker save | gzip). */
async function* maybeGunzip(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield first.value;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  };
  if (first.value[0] !== 0x1f || first.value[1] !== 0x8b) {
    yield* rest();
    return;
  }
  const src = Readable.from(rest());
  const gunzip = zlib.createGunzip({ chunkSize: 256 << 10 });
  src.on('error', (err) => gunzip.destroy(err));
  yield* src.pipe(gunzip) as AsyncIterable<Buffer>;
}
