// The images a node reports in status.images (upstream kubelet setters.Images): one entry
// per image ID (config digest), named by its repo digests then its tags, biggest first, at
// most 50 (upstream nodeStatusMaxImages).
import type { ContainerImage } from '../../api/types.js';
import { recordRepository, type ImageStore } from './image-store.js';

export const nodeStatusMaxImages = 50;

export function nodeImages(store: ImageStore): ContainerImage[] {
  const byID = new Map<string, { digests: Set<string>; tags: Set<string>; size: number }>();
  for (const rec of store.listImages()) {
    const e = byID.get(rec.config.digest) ?? { digests: new Set<string>(), tags: new Set<string>(), size: rec.size };
    const repo = recordRepository(rec);
    e.digests.add(`${repo}@${rec.target.digest}`);
    if (!rec.name.includes('@')) e.tags.add(rec.name);
    byID.set(rec.config.digest, e);
  }
  return [...byID.values()]
    .sort((a, b) => b.size - a.size)
    .slice(0, nodeStatusMaxImages)
    .map((e) => ({ names: [...[...e.digests].sort(), ...[...e.tags].sort()], sizeBytes: e.size }));
}
