// The cluster's image store: one content-addressed store in the cluster home, shared by every
// node agent and the CLI (containerd's content store + image metadata, on plain files).
//
//   <home>/images/store/blobs/sha256/<hex>   every blob (manifests, indexes, configs, layers)
//   <home>/images/store/ingest/              blobs being written (renamed into blobs/ once verified)
//   <home>/images/store/images/<hex>.json    one record per image name (hex = sha256 of the name)
//   <home>/images/store/snapshots/           unpacked layers (snapshots.ts)
//
// Several processes write here at once (agents pulling the same image, `kanzen image load`):
// every file is written aside and renamed into place, so a reader sees a whole file or none,
// and two writers of the same blob write the same bytes.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { digestHex, isDigest, type Descriptor, type ImageConfig, type ImageManifest } from './oci.js';

/** An image as the store knows it: a name and the platform manifest it runs. */
export interface ImageRecord {
  /** The normalized reference: `docker.io/library/nginx:latest`, or `repo@sha256:…` when stored by digest only. */
  name: string;
  /** What the name points at as pushed (an index or a manifest): its digest is the repo digest, `repo@<digest>` the status imageID. */
  target: Descriptor;
  /** The manifest for this host's platform (target itself when it is a manifest). */
  manifest: Descriptor;
  /** The config blob; its digest is the image ID (`crictl images`' IMAGE ID). */
  config: Descriptor;
  /** The manifest's layers, bottom first, and their uncompressed digests (the config's rootfs.diff_ids). */
  layers: Descriptor[];
  diffIDs: string[];
  /** Config + compressed layers, in bytes (containerd's image size). */
  size: number;
  /** When the name was last stored (RFC 3339). */
  createdAt: string;
  /** How it got here. */
  source: 'pull' | 'load' | 'builtin';
}

/** A blob's bytes did not match the digest or size they were announced with. */
export class DigestMismatchError extends Error {}

export interface ExpectedBlob {
  digest?: string;
  size?: number;
}

export class ImageStore {
  readonly blobsDir: string;
  readonly ingestDir: string;
  readonly imagesDir: string;
  readonly snapshotsDir: string;

  constructor(readonly root: string) {
    this.blobsDir = path.join(root, 'blobs', 'sha256');
    this.ingestDir = path.join(root, 'ingest');
    this.imagesDir = path.join(root, 'images');
    this.snapshotsDir = path.join(root, 'snapshots');
  }

  /** The store of a cluster home. */
  static forHome(homeDir: string): ImageStore {
    return new ImageStore(path.join(homeDir, 'images', 'store'));
  }

  blobPath(digest: string): string {
    return path.join(this.blobsDir, digestHex(digest));
  }

  hasBlob(digest: string): boolean {
    return isDigest(digest) && fs.existsSync(this.blobPath(digest));
  }

  readBlob(digest: string): Buffer {
    return fs.readFileSync(this.blobPath(digest));
  }

  readJsonBlob<T>(digest: string): T {
    return JSON.parse(this.readBlob(digest).toString('utf8')) as T;
  }

  /**
   * Writes a blob, hashing while it streams; the digest (and size, when given) is checked
   * before the blob becomes visible. Returns its digest and size.
   */
  async writeBlob(data: Readable | AsyncIterable<Uint8Array> | Uint8Array, expected: ExpectedBlob = {}): Promise<{ digest: string; size: number }> {
    if (expected.digest !== undefined && !isDigest(expected.digest)) throw new DigestMismatchError(`unsupported digest ${JSON.stringify(expected.digest)}`);
    if (expected.digest && this.hasBlob(expected.digest)) {
      // Already here: drain nothing, the caller's stream is simply not read.
      if (data instanceof Readable) data.destroy();
      return { digest: expected.digest, size: fs.statSync(this.blobPath(expected.digest)).size };
    }
    fs.mkdirSync(this.ingestDir, { recursive: true });
    const tmp = path.join(this.ingestDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      const chunks: AsyncIterable<Uint8Array> = data instanceof Uint8Array ? [data] as unknown as AsyncIterable<Uint8Array> : data;
      for await (const chunk of chunks) {
        const buf = chunk as Uint8Array;
        hash.update(buf);
        size += buf.length;
        if (expected.size !== undefined && size > expected.size) throw new DigestMismatchError(`blob ${expected.digest ?? ''} is larger than its descriptor's size ${expected.size}`);
        writeAll(fd, buf);
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected.size !== undefined && size !== expected.size) throw new DigestMismatchError(`blob ${expected.digest ?? digest} has ${size} bytes, its descriptor says ${expected.size}`);
      if (expected.digest && digest !== expected.digest) throw new DigestMismatchError(`digest mismatch: expected ${expected.digest}, got ${digest}`);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.mkdirSync(this.blobsDir, { recursive: true });
      fs.renameSync(tmp, this.blobPath(digest));
      return { digest, size };
    } catch (err) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  // ---- image records -----------------------------------------------------------

  private recordPath(name: string): string {
    return path.join(this.imagesDir, `${createHash('sha256').update(name).digest('hex')}.json`);
  }

  putImage(rec: ImageRecord): void {
    fs.mkdirSync(this.imagesDir, { recursive: true });
    const file = this.recordPath(rec.name);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(rec, null, 1) + '\n');
    fs.renameSync(tmp, file);
  }

  getImage(name: string): ImageRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.recordPath(name), 'utf8')) as ImageRecord;
    } catch {
      return undefined;
    }
  }

  listImages(): ImageRecord[] {
    let files: string[];
    try {
      files = fs.readdirSync(this.imagesDir).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    const out: ImageRecord[] = [];
    for (const f of files) {
      try {
        out.push(JSON.parse(fs.readFileSync(path.join(this.imagesDir, f), 'utf8')) as ImageRecord);
      } catch {
        // being replaced or removed right now
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes the name (not its blobs: prune does that once nothing refers to them). */
  removeImage(name: string): boolean {
    try {
      fs.unlinkSync(this.recordPath(name));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The record for `name` once its target, manifest, config and layers are all in the store
   * (pullers and loaders call this last, so a record never points at missing blobs).
   */
  recordImage(name: string, target: Descriptor, manifest: Descriptor, source: ImageRecord['source']): ImageRecord {
    const m = this.readJsonBlob<ImageManifest>(manifest.digest);
    const config = this.readJsonBlob<ImageConfig>(m.config.digest);
    const diffIDs = config.rootfs?.diff_ids ?? [];
    if (diffIDs.length !== m.layers.length) throw new Error(`image ${name}: the config lists ${diffIDs.length} layers, the manifest ${m.layers.length}`);
    for (const l of m.layers) if (!this.hasBlob(l.digest)) throw new Error(`image ${name}: layer ${l.digest} is not in the store`);
    const rec: ImageRecord = {
      name,
      target: stripDescriptor(target),
      manifest: stripDescriptor(manifest),
      config: stripDescriptor(m.config),
      layers: m.layers.map(stripDescriptor),
      diffIDs,
      size: m.config.size + m.layers.reduce((n, l) => n + l.size, 0),
      createdAt: new Date().toISOString(),
      source,
    };
    this.putImage(rec);
    return rec;
  }

  manifestOf(rec: ImageRecord): ImageManifest {
    return this.readJsonBlob<ImageManifest>(rec.manifest.digest);
  }

  configOf(rec: ImageRecord): ImageConfig {
    return this.readJsonBlob<ImageConfig>(rec.config.digest);
  }
}

/** The repository of a record's name (`docker.io/library/nginx` of `…nginx:latest` or `…nginx@sha256:…`): `<repo>@<target digest>` is its repo digest. */
export function recordRepository(rec: Pick<ImageRecord, 'name'>): string {
  return rec.name.replace(/@sha256:[0-9a-f]{64}$/, '').replace(/:[^:/]+$/, '');
}

function stripDescriptor(d: Descriptor): Descriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size, ...(d.platform ? { platform: d.platform } : {}) };
}

function writeAll(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

