// Unpacked layers ("snapshots", as containerd's overlayfs snapshotter calls them): each layer
// of the store unpacked once, keyed by its chain ID (the layer with everything below it), in
//
//   <store>/snapshots/<12 hex of the chain ID>/fs        the layer in overlayfs' form
//   <store>/snapshots/<12 hex of the chain ID>/chainid   the full chain ID
//
// A container's root is an overlay of these `fs` directories. The overlay mount's option
// string must fit one page (4096 bytes) with every lowerdir in it, hence short directory
// names: 12 hex digits (a longer prefix only on a clash, checked against `chainid`), so ~40
// layers fit with room for the upper and work directories.
//
// Node agents and the CLI share the store: a layer is unpacked into a directory of its own
// beside the others and renamed into place, so a snapshot directory that exists is whole; two
// processes racing on the same layer both unpack it and the second rename loses harmlessly.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ImageRecord, ImageStore } from './image-store.js';
import { unpackLayer } from './layer-unpack.js';
import { chainIDs, digestHex } from './oci.js';

const SHORT_ID = 12;
/** Directories being unpacked start with this (prune removes stale ones). */
export const SNAPSHOT_TMP_PREFIX = '.unpack-';

/** The snapshot directory of a chain ID, existing or to be made: the shortest free or matching prefix. */
export function snapshotDir(store: ImageStore, chainID: string): string {
  const hex = digestHex(chainID);
  for (let n = SHORT_ID; n <= hex.length; n += 4) {
    const dir = path.join(store.snapshotsDir, hex.slice(0, n));
    const owner = readChainID(dir);
    if (owner === undefined || owner === chainID) return dir;
  }
  return path.join(store.snapshotsDir, hex);
}

/** The chain ID a snapshot directory holds (undefined when there is no snapshot there). */
export function readChainID(dir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, 'chainid'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The chain IDs of an image's layers, bottom first. */
export function imageChainIDs(rec: ImageRecord): string[] {
  return chainIDs(rec.diffIDs);
}

/**
 * Unpacks the image's layers that are not unpacked yet (bottom first: a layer's implied
 * directories take their metadata from the ones below) and returns their `fs` directories,
 * top layer first (overlayfs' lowerdir order).
 */
export async function ensureSnapshots(store: ImageStore, rec: ImageRecord): Promise<string[]> {
  const chain = imageChainIDs(rec);
  const fsDirs: string[] = [];
  for (let i = 0; i < chain.length; i++) {
    const dir = snapshotDir(store, chain[i]);
    if (readChainID(dir) !== chain[i]) await once(dir, () => unpackSnapshot(store, rec, i, chain[i], dir, [...fsDirs].reverse()));
    fsDirs.push(path.join(dir, 'fs'));
  }
  return fsDirs.reverse();
}

// Unpacks in flight in this process (pods of one image starting together share one unpack).
const inFlight = new Map<string, Promise<void>>();

function once(dir: string, unpack: () => Promise<void>): Promise<void> {
  let p = inFlight.get(dir);
  if (!p) {
    p = unpack().finally(() => inFlight.delete(dir));
    inFlight.set(dir, p);
  }
  return p;
}

async function unpackSnapshot(store: ImageStore, rec: ImageRecord, i: number, chainID: string, dir: string, parents: string[]): Promise<void> {
  const layer = rec.layers[i];
  fs.mkdirSync(store.snapshotsDir, { recursive: true });
  const tmp = path.join(store.snapshotsDir, `${SNAPSHOT_TMP_PREFIX}${path.basename(dir)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(path.join(tmp, 'fs'), { recursive: true, mode: 0o755 });
  try {
    await unpackLayer({ blobPath: store.blobPath(layer.digest), mediaType: layer.mediaType, diffID: rec.diffIDs[i], dest: path.join(tmp, 'fs'), parents });
    fs.writeFileSync(path.join(tmp, 'chainid'), `${chainID}\n`);
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // Another process put the same layer in place first: theirs serves.
    if (readChainID(dir) === chainID) return;
    throw err;
  }
}
