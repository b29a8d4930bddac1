// The kubelet's image manager (upstream pkg/kubelet/images/image_manager.go,
// EnsureImageExists): which image a container runs, by its pull policy, from which source.
//
// Sources, in order, by the cluster's `--images` setting:
//   * the user catalog (<home>/images.yaml) first: the user mapped that reference on purpose;
//   * the image store (pulled or `kanzen image load`ed images);
//   * the registry (auto, registry), with the pod's imagePullSecrets and registries.yaml;
//   * kanzen's built-in stand-ins (auto, builtin): the shell images are real images built
//     into the store (run by runc like any other), the programs (nginx, agnhost, …) run from
//     the catalog. A stand-in never runs silently: the pod gets a StandInImage event saying
//     why (registry unreachable, pull policy Never, --images builtin).
// Pull policies as upstream: Never uses only what is present (else ErrImageNeverPull),
// IfNotPresent pulls when absent, Always asks the registry every time (unchanged layers are
// not fetched again: the store has them).
import type { Container, Pod } from '../../api/types.js';
import { normalizedReference, parseImageReference, repositoryName, type ImageReference } from '../../images/image-reference.js';
import { isImageError, resolveImage, type ResolvedImage as CatalogImage } from '../image-catalog.js';
import { recordRepository, type ImageRecord, type ImageStore } from '../images/image-store.js';
import type { OciLaunch } from '../images/oci-launch.js';
import type { ImageConfig } from '../images/oci.js';
import type { ImageSources } from '../images/image-sources.js';
import { ImagePullError, pullPolicyOf, type ImageResolveContext, type ImageResolver, type ResolvedImage } from './container-runtime.js';


/**
 * How long a registry that could not be reached is not asked again (auto mode only): pods
 * of an offline machine start at once on stand-ins instead of each waiting for a timeout.
 */
export const unreachableRetryMs = 60_000;

export interface ImageManagerOptions {
  store: ImageStore;
  sources: ImageSources;
  /** Pulls a reference into the store (registry client, registries.yaml, the pod's pull secrets). */
  pull(reference: string, pod: Pod): Promise<ImageRecord>;
  /** Unpacks a stored image's layers once; the directories, top layer first. */
  snapshots(rec: ImageRecord): Promise<string[]>;
  /** Builds a shell stand-in (busybox, curl, …) into the store; undefined when there is none for the reference. */
  shellStandIn(ref: ImageReference): Promise<ImageRecord | undefined>;
  /** The catalog: user entries and the program stand-ins. */
  catalog: ImageResolver;
  /** <home>/images.yaml, to know whether a reference is the user's. */
  userCatalogPath?: string;
  /** Kubernetes' command/args/env/workingDir/user rules against an image config (oci-process.ts). */
  process(config: ImageConfig, container: Container, env: Record<string, string>, lowerDirs: string[], pod: Pod): ReturnType<ResolvedImage['process']>;
  now?: () => number;
}

/** A registry that did not answer at all (as opposed to answering "not found" or "unauthorized"). */
export function isUnreachable(err: unknown): boolean {
  const codes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'ABORT_ERR']);
  for (let e = err as { code?: unknown; cause?: unknown; unreachable?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (e.unreachable === true) return true;
    if (typeof e.code === 'string' && codes.has(e.code)) return true;
  }
  return false;
}

export class ImageManager implements ImageResolver {
  private readonly inflight = new Map<string, Promise<ImageRecord>>();
  /** Registry host → until when it counts as unreachable, and why. */
  private readonly unreachable = new Map<string, { until: number; message: string }>();
  private readonly now: () => number;

  constructor(private readonly opts: ImageManagerOptions) {
    this.now = opts.now ?? Date.now;
  }

  async resolve(c: Container, ctx: ImageResolveContext): Promise<ResolvedImage> {
    const image = c.image ?? '';
    const cat = resolveImage(image, { userCatalogPath: this.opts.userCatalogPath });
    if (isImageError(cat) && cat.reason === 'InvalidImageName') throw new ImagePullError(cat.message, 'InvalidImageName');
    if (!isImageError(cat) && cat.kind === 'user') return this.opts.catalog.resolve(c, ctx);
    const standIn = isImageError(cat) ? undefined : cat;
    const ref = parseImageReference(image);
    const name = normalizedReference(ref);
    const policy = pullPolicyOf(c);
    const stored = this.present(ref, name);

    if (policy === 'Never' || this.opts.sources === 'builtin') {
      if (stored) return this.fromStore(stored, []);
      const why = policy === 'Never' ? `Container image ${JSON.stringify(image)} is not present with pull policy of Never` : 'kanzen up --images builtin';
      if (standIn) return this.fromStandIn(c, ctx, ref, standIn, why, 'Normal');
      if (policy === 'Never') throw new ImagePullError(`Container image ${JSON.stringify(image)} is not present with pull policy of Never`, 'ErrImageNeverPull');
      throw new ImagePullError(`image ${JSON.stringify(image)} is not in the image store and the cluster pulls nothing (kanzen up --images builtin): load it with kanzen image load`);
    }
    if (policy === 'IfNotPresent' && stored) return this.fromStore(stored, []);

    const skip = this.opts.sources === 'auto' ? this.unreachable.get(ref.domain) : undefined;
    if (skip && skip.until > this.now()) {
      const ago = Math.round((this.now() - (skip.until - unreachableRetryMs)) / 1000);
      const why = `Failed to pull image ${JSON.stringify(image)}: ${ref.domain} did not answer a pull ${ago}s ago (${skip.message})`;
      const fallback = await this.offline(c, ctx, ref, stored, standIn, why);
      if (fallback) return fallback;
    }
    ctx.pulling();
    const start = this.now();
    let rec: ImageRecord;
    try {
      rec = await this.pullOnce(name, image, ctx.pod);
    } catch (err) {
      const message = (err as Error).message;
      if (this.opts.sources === 'auto' && isUnreachable(err)) {
        this.unreachable.set(ref.domain, { until: this.now() + unreachableRetryMs, message });
        const fallback = await this.offline(c, ctx, ref, stored, standIn, `Failed to pull image ${JSON.stringify(image)}: ${message}`);
        if (fallback) return fallback;
      }
      throw new ImagePullError(message);
    }
    this.unreachable.delete(ref.domain);
    const resolved = await this.fromStore(rec, []);
    return { ...resolved, pulled: { tookMs: this.now() - start, sizeBytes: rec.size } };
  }

  /** The stored image for a reference: by name, or for a digest reference any record of that repository and digest. */
  private present(ref: ImageReference, name: string): ImageRecord | undefined {
    const rec = this.opts.store.getImage(name);
    const usable = (r: ImageRecord | undefined) => (r && (r.source !== 'builtin' || this.opts.sources !== 'registry') ? r : undefined);
    if (rec || !ref.digest) return usable(rec);
    const repo = repositoryName(ref);
    return usable(this.opts.store.listImages().find((r) => r.target.digest === ref.digest && r.name.startsWith(`${repo}:`)));
  }

  /** Concurrent pods pulling the same name share one pull. */
  private pullOnce(name: string, image: string, pod: Pod): Promise<ImageRecord> {
    let p = this.inflight.get(name);
    if (!p) {
      p = this.opts.pull(image, pod).finally(() => this.inflight.delete(name));
      this.inflight.set(name, p);
    }
    return p;
  }

  /** The registry did not answer: the stored copy (a pulled or loaded one), else a stand-in, else nothing. */
  private async offline(
    c: Container,
    ctx: ImageResolveContext,
    ref: ImageReference,
    stored: ImageRecord | undefined,
    standIn: CatalogImage | undefined,
    why: string,
  ): Promise<ResolvedImage | undefined> {
    if (stored && stored.source !== 'builtin') return this.fromStore(stored, [{ type: 'Warning', reason: 'StaleImage', message: `${why}; running the copy in the image store` }]);
    if (standIn) return this.fromStandIn(c, ctx, ref, standIn, why, 'Warning');
    return undefined;
  }

  private async fromStore(rec: ImageRecord, notices: NonNullable<ResolvedImage['notices']>): Promise<ResolvedImage> {
    const config = this.opts.store.configOf(rec);
    const lowerDirs = await this.opts.snapshots(rec);
    const launch: OciLaunch = { kind: 'oci', image: rec.name, lowerDirs, config };
    const stop = config.config?.StopSignal;
    const repo = recordRepository(rec);
    const standIn: NonNullable<ResolvedImage['notices']> =
      rec.source === 'builtin' && notices.length === 0
        ? [{ type: 'Normal', reason: 'StandInImage', message: `Running kanzen's built-in stand-in for ${rec.name} (built from the machine's busybox-static; kanzen image load or a registry gives the real image)` }]
        : [];
    return {
      image: rec.name,
      imageID: `${repo}@${rec.target.digest}`,
      sizeBytes: rec.size,
      ...(stop && /^SIG[A-Z0-9]+$/.test(stop) ? { stopSignal: stop as NodeJS.Signals } : {}),
      launch,
      process: (c, env, pod) => this.opts.process(config, c, env, lowerDirs, pod),
      notices: [...notices, ...standIn],
    };
  }

  private async fromStandIn(c: Container, ctx: ImageResolveContext, ref: ImageReference, standIn: CatalogImage, why: string, type: 'Normal' | 'Warning'): Promise<ResolvedImage> {
    const notice = { type, reason: 'StandInImage', message: `${why}; running kanzen's built-in stand-in for ${normalizedReference(ref)}` };
    if (standIn.rootfs) {
      let rec: ImageRecord | undefined;
      try {
        rec = await this.opts.shellStandIn(ref);
      } catch (err) {
        throw new ImagePullError(`${why}; kanzen's stand-in cannot be built: ${(err as Error).message}`);
      }
      if (rec) return this.fromStore(rec, [notice]);
    }
    // The catalog's own Pulling/Pulled pair is not wanted here: no pull happened.
    const resolved = await this.opts.catalog.resolve({ ...c, imagePullPolicy: 'IfNotPresent' }, ctx);
    return { ...resolved, pulled: undefined, notices: [...(resolved.notices ?? []), notice] };
  }
}
