// The image catalog (../image-catalog.ts) as the runtime's ImageResolver: a reference that
// resolves is "already present on machine"; one that does not is a pull error with the
// catalog's message. A shell image's root filesystem is built here (once per cluster home);
// what the machine lacks for it (busybox-static, curl, dnsutils) is a pull error too, never
// a silent fall back to the host's programs. command/args are applied once the container's
// environment is known.
import type { Container } from '../../api/types.js';
import { ensureShellRootfs, ShellRootfsError } from '../../images/shell-rootfs.js';
import { applyCommandArgs, isImageError, resolveImage, type ResolvedImage as CatalogImage } from '../image-catalog.js';
import { CreateContainerError, ImagePullError, pullPolicyOf, type ImageResolveContext, type ImageResolver, type ResolvedImage } from './container-runtime.js';

export interface CatalogResolverOptions {
  /** <home>/images.yaml */
  userCatalogPath?: string;
  /** Where shell images' root filesystems are built (<home>/images/rootfs); without it they run on the host's /. */
  rootfsCacheDir?: string;
}

export function catalogImageResolver(opts: CatalogResolverOptions = {}): ImageResolver {
  return {
    resolve(container: Container, ctx?: ImageResolveContext): ResolvedImage {
      // A catalog image is always at hand: the Pulling/Pulled pair of an Always policy is what
      // a pull of an unchanged image shows (the registry only confirms the digest).
      const pulls = pullPolicyOf(container) === 'Always';
      if (pulls) ctx?.pulling();
      const r = resolveImage(container.image ?? '', { userCatalogPath: opts.userCatalogPath });
      if (isImageError(r)) throw new ImagePullError(r.message, r.reason);
      if (r.rootfs && opts.rootfsCacheDir) {
        try {
          r.rootDir = ensureShellRootfs(opts.rootfsCacheDir, r.rootfs);
        } catch (err) {
          // Like an image that cannot be unpacked: the pod waits in ErrImagePull with the reason.
          if (err instanceof ShellRootfsError) throw new ImagePullError(err.message);
          throw new ImagePullError(`failed to prepare the root filesystem of ${r.image}: ${(err as Error).message}`);
        }
      }
      const resolved = fromCatalog(r);
      return pulls ? { ...resolved, pulled: { tookMs: 0, sizeBytes: 0 } } : resolved;
    },
  };
}

export function fromCatalog(r: CatalogImage): ResolvedImage {
  return {
    image: r.image,
    imageID: r.imageRef,
    stopSignal: r.stopSignal,
    launch: r,
    process(container, env) {
      const p = applyCommandArgs(r, container, env);
      if ('reason' in p) throw new CreateContainerError(p.message);
      return p;
    },
  };
}
