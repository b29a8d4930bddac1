// Garbage collection of the image store (containerd's content and snapshot GC, on plain
// files): an image record holds its target, manifest, config and layer blobs, and the
// snapshots of its layer chain; whatever no record holds any more is removed, with the
// leftovers of interrupted writes (ingest/, half-unpacked snapshots).
import fs from 'node:fs';
import path from 'node:path';
import type { ImageRecord, ImageStore } from './image-store.js';
import { digestHex, isIndexMediaType, type ImageIndex } from './oci.js';
import { imageChainIDs, readChainID, SNAPSHOT_TMP_PREFIX } from './snapshots.js';

export interface GcResult {
  /** Image names removed. */
  images: string[];
  /** Blob digests removed. */
  blobs: string[];
  /** Snapshot chain IDs removed. */
  snapshots: string[];
  /** Bytes of blobs removed. */
  bytes: number;
}

/** Writes in flight are left alone for this long (another process may be pulling or unpacking right now). */
const STALE_MS = 60 * 60 * 1000;

/** Removes every image no container uses (inUse: normalized names), then what nothing refers to. */
export function pruneImages(store: ImageStore, inUse: Set<string>): GcResult {
  const removed: string[] = [];
  for (const rec of store.listImages()) {
    if (inUse.has(rec.name)) continue;
    if (store.removeImage(rec.name)) removed.push(rec.name);
  }
  return { ...collectGarbage(store), images: removed };
}

/** Removes one image name, and the blobs and snapshots only it held. */
export function removeImage(store: ImageStore, name: string): GcResult | undefined {
  if (!store.removeImage(name)) return undefined;
  return { ...collectGarbage(store), images: [name] };
}

/** Removes blobs and snapshots that no image record refers to, and stale leftovers of writes. */
export function collectGarbage(store: ImageStore, now = Date.now()): GcResult {
  const blobs = new Set<string>();
  const chains = new Set<string>();
  for (const rec of store.listImages()) {
    for (const d of referencedBlobs(store, rec)) blobs.add(digestHex(d));
    for (const c of imageChainIDs(rec)) chains.add(c);
  }
  const result: GcResult = { images: [], blobs: [], snapshots: [], bytes: 0 };
  for (const hex of readdir(store.blobsDir)) {
    if (blobs.has(hex)) continue;
    const file = path.join(store.blobsDir, hex);
    result.bytes += sizeOf(file);
    fs.rmSync(file, { force: true });
    result.blobs.push(`sha256:${hex}`);
  }
  for (const name of readdir(store.snapshotsDir)) {
    const dir = path.join(store.snapshotsDir, name);
    if (name.startsWith(SNAPSHOT_TMP_PREFIX)) {
      if (isStale(dir, now)) fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const chainID = readChainID(dir);
    if (chainID && chains.has(chainID)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    if (chainID) result.snapshots.push(chainID);
  }
  for (const name of readdir(store.ingestDir)) {
    const file = path.join(store.ingestDir, name);
    if (isStale(file, now)) fs.rmSync(file, { recursive: true, force: true });
  }
  return result;
}

/** The blobs an image holds: its target (and, for an index, the index's other manifests are not kept), manifest, config and layers. */
function referencedBlobs(store: ImageStore, rec: ImageRecord): string[] {
  const out = [rec.target.digest, rec.manifest.digest, rec.config.digest, ...rec.layers.map((l) => l.digest)];
  // A nested index between the target and the platform manifest (index → index → manifest).
  if (isIndexMediaType(rec.target.mediaType) && store.hasBlob(rec.target.digest)) {
    try {
      for (const m of store.readJsonBlob<ImageIndex>(rec.target.digest).manifests ?? []) if (isIndexMediaType(m.mediaType)) out.push(m.digest);
    } catch {
      // an unreadable index holds nothing more
    }
  }
  return out;
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function isStale(p: string, now: number): boolean {
  try {
    return now - fs.lstatSync(p).mtimeMs > STALE_MS;
  } catch {
    return false;
  }
}
