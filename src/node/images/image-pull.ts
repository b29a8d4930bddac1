// Pulling an image from an OCI registry into the cluster's image store, as containerd's CRI
// PullImage does: resolve the tag or digest on the registry's endpoints in order (mirrors,
// then the registry itself), take the host platform's manifest out of an index, fetch the
// config and layers a few at a time straight into the store (each verified against its
// digest and size while it streams; blobs already there are not fetched), then record the
// name. A failure leaves no record, and the message is containerd's, as the kubelet shows it
// in ErrImagePull: `failed to pull and unpack image "…": failed to resolve reference "…": …`.
import { normalizedReference, parseImageReference, repositoryName, type ImageReference } from '../../images/image-reference.js';
import type { DockerKeyring } from './docker-config.js';
import { DigestMismatchError, type ImageRecord, type ImageStore } from './image-store.js';
import { hostPlatform, isDigest, isIndexMediaType, isManifestMediaType, MediaType, selectPlatformManifest, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from './oci.js';
import { emptyRegistriesConfig, registryEndpoints, type RegistriesConfig, type RegistryAuth, type RegistryEndpoint } from './registries-config.js';
import { RegistryClient, RegistryError } from './registry-client.js';

export { RegistryError, type RegistryErrorCode } from './registry-client.js';
export { loadRegistriesConfig, type RegistriesConfig } from './registries-config.js';

/** containerd CRI's max_concurrent_downloads default. */
export const defaultPullConcurrency = 3;

export interface PullOptions {
  /** <home>/registries.yaml (mirrors, TLS, credentials); none means every registry at its own address. */
  registries?: RegistriesConfig;
  /** The pod's pull secrets; each matching credential is tried in turn, as the kubelet does. */
  credentials?: DockerKeyring;
  /** The platform to take out of an index (the host's by default). */
  platform?: Platform;
  signal?: AbortSignal;
  /** Blobs fetched at once. */
  concurrency?: number;
}

/** The store name of a reference: `docker.io/library/nginx:latest`, or `repo@sha256:…` when pulled by digest. */
export function pulledImageName(ref: ImageReference): string {
  return ref.digest ? `${repositoryName(ref)}@${ref.digest}` : normalizedReference(ref);
}

export async function pullImage(store: ImageStore, reference: string, opts: PullOptions = {}): Promise<ImageRecord> {
  let ref: ImageReference;
  try {
    ref = parseImageReference(reference);
  } catch (e) {
    throw new RegistryError(`failed to parse image reference "${reference}": ${(e as Error).message}`);
  }
  const name = pulledImageName(ref);
  if (ref.digest && !isDigest(ref.digest)) throw new RegistryError(`failed to pull and unpack image "${name}": unsupported digest algorithm: ${ref.digest}`, 'Unimplemented');
  const candidates: Array<RegistryAuth | undefined> = opts.credentials?.lookup(repositoryName(ref)) ?? [];
  if (!candidates.length) candidates.push(undefined);
  let last: RegistryError | undefined;
  for (const credentials of candidates) {
    try {
      return await pullWith(store, ref, name, credentials, opts);
    } catch (e) {
      const err = e instanceof RegistryError ? e : new RegistryError(e instanceof Error ? e.message : String(e));
      last = err.wrap(`failed to pull and unpack image "${name}"`);
      if (err.code === 'Canceled') break;
    }
  }
  throw last!;
}

async function pullWith(store: ImageStore, ref: ImageReference, name: string, credentials: RegistryAuth | undefined, opts: PullOptions): Promise<ImageRecord> {
  // One failed blob stops the others.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const clients: RegistryClient[] = [];
  try {
    const endpoints = registryEndpoints(opts.registries ?? emptyRegistriesConfig, ref.domain);
    const { client, repo, target } = await resolveReference(ref, name, endpoints, (ep) => {
      const c = new RegistryClient(ep, { credentials, signal });
      clients.push(c);
      return c;
    });

    await fetchInto(store, client, repo, target, 'manifests');
    let manifestDesc: Descriptor = { ...target, mediaType: storedMediaType(store, target) };
    if (isIndexMediaType(manifestDesc.mediaType)) {
      const picked = selectPlatformManifest(store.readJsonBlob<ImageIndex>(target.digest), opts.platform ?? hostPlatform());
      if (!picked) throw new RegistryError('no match for platform in manifest: not found', 'NotFound');
      await fetchInto(store, client, repo, picked, 'manifests');
      manifestDesc = { ...picked, mediaType: storedMediaType(store, picked) };
    }
    if (!isManifestMediaType(manifestDesc.mediaType)) {
      throw new RegistryError(`media type "${manifestDesc.mediaType}" of ${manifestDesc.digest} is not supported: not implemented`, 'Unimplemented');
    }
    const manifest = store.readJsonBlob<ImageManifest>(manifestDesc.digest);
    if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw new RegistryError(`manifest ${manifestDesc.digest} has no config or layers: invalid argument`);

    const wanted = new Map<string, Descriptor>();
    for (const d of [manifest.config, ...manifest.layers]) if (!store.hasBlob(d.digest)) wanted.set(d.digest, d);
    await forEachLimit([...wanted.values()], opts.concurrency ?? defaultPullConcurrency, (d) => fetchInto(store, client, repo, d, 'blobs'), () => stop.abort());

    const targetDesc = target.digest === manifestDesc.digest ? manifestDesc : { ...target, mediaType: storedMediaType(store, target) };
    try {
      return store.recordImage(name, targetDesc, manifestDesc, 'pull');
    } catch (e) {
      throw new RegistryError((e as Error).message);
    }
  } finally {
    for (const c of clients) c.close();
  }
}

/** The first endpoint that has the reference; 404s move on, other failures are remembered (containerd reports the first). */
async function resolveReference(
  ref: ImageReference,
  name: string,
  endpoints: RegistryEndpoint[],
  clientFor: (ep: RegistryEndpoint) => RegistryClient,
): Promise<{ client: RegistryClient; repo: string; target: Descriptor }> {
  const object = ref.digest ?? ref.tag ?? 'latest';
  let firstErr: RegistryError | undefined;
  let answered = false;
  for (const ep of endpoints) {
    const client = clientFor(ep);
    const repo = ep.rewrite(ref.path);
    try {
      const target = await client.resolve(repo, object);
      if (target) return { client, repo, target };
      answered = true;
    } catch (e) {
      let err = e instanceof RegistryError ? e : new RegistryError((e as Error).message);
      if (err.invalidAuthorization) err = err.wrap('pull access denied, repository does not exist or may require authorization');
      if (err.code === 'Canceled') throw err.wrap(`failed to resolve reference "${name}"`);
      answered ||= !err.unreachable;
      firstErr ??= err;
    }
  }
  const err = firstErr ?? new RegistryError(`${name}: not found`, 'NotFound');
  // Unreachable only when no endpoint answered at all.
  throw new RegistryError(`failed to resolve reference "${name}": ${err.message}`, err.code, { invalidAuthorization: err.invalidAuthorization, unreachable: !answered });
}

/** Streams one manifest or blob into the store unless it is there; a mismatch is containerd's failed commit. */
async function fetchInto(store: ImageStore, client: RegistryClient, repo: string, desc: Descriptor, kind: 'manifests' | 'blobs'): Promise<void> {
  if (store.hasBlob(desc.digest)) return;
  const body = await client.fetch(repo, desc, kind);
  try {
    await store.writeBlob(body, { digest: desc.digest, size: desc.size });
  } catch (e) {
    body.destroy();
    if (e instanceof DigestMismatchError) throw new RegistryError(`failed commit on ref "${refKey(desc)}": ${commitMismatch(e.message)}: failed precondition`, 'FailedPrecondition');
    const err = e as NodeJS.ErrnoException;
    if (err.name === 'AbortError' || err.code === 'ABORT_ERR') throw new RegistryError('context canceled', 'Canceled');
    throw new RegistryError(`failed to copy: ${err.message}`);
  }
}

/** The store's mismatch in content.Writer.Commit's words. */
function commitMismatch(storeMessage: string): string {
  const digest = /expected (sha256:[0-9a-f]+), got (sha256:[0-9a-f]+)/.exec(storeMessage);
  if (digest) return `unexpected commit digest ${digest[2]}, expected ${digest[1]}`;
  const size = /has (\d+) bytes, its descriptor says (\d+)/.exec(storeMessage);
  if (size) return `unexpected commit size ${size[1]}, expected ${size[2]}`;
  return storeMessage;
}

/** containerd's remotes.MakeRefKey: the ingest ref named in commit errors. */
function refKey(desc: Descriptor): string {
  const mt = desc.mediaType;
  if (isManifestMediaType(mt)) return `manifest-${desc.digest}`;
  if (isIndexMediaType(mt)) return `index-${desc.digest}`;
  if (mt === MediaType.ociConfig || mt === MediaType.dockerConfig) return `config-${desc.digest}`;
  return `layer-${desc.digest}`;
}

/** A stored manifest's media type: the registry's word, else its own mediaType field, else its shape. */
function storedMediaType(store: ImageStore, desc: Descriptor): string {
  if (isIndexMediaType(desc.mediaType) || isManifestMediaType(desc.mediaType)) return desc.mediaType;
  const doc = store.readJsonBlob<{ mediaType?: string; manifests?: unknown; layers?: unknown }>(desc.digest);
  return doc.mediaType ?? (doc.manifests ? MediaType.ociIndex : doc.layers ? MediaType.ociManifest : desc.mediaType);
}

/** Runs fn over items, at most limit at once; the first failure stops new work, calls onError, and is thrown once the running ones end. */
async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>, onError: () => void): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (error) {
        if (!failure) {
          failure = { error };
          onError();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
