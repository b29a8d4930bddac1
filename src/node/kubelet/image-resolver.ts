// The image catalog (../image-catalog.ts) as the runtime's ImageResolver: a reference that
// resolves is "already present on machine"; one that does not is a pull error with the
// catalog's message. command/args are applied once the container's environment is known.
import type { Container } from '../../api/types.js';
import { applyCommandArgs, isImageError, resolveImage, type ResolvedImage as CatalogImage } from '../image-catalog.js';
import { CreateContainerError, ImagePullError, type ImageResolver, type ResolvedImage } from './container-runtime.js';

export interface CatalogResolverOptions {
  /** <home>/images.yaml */
  userCatalogPath?: string;
}

export function catalogImageResolver(opts: CatalogResolverOptions = {}): ImageResolver {
  return {
    resolve(container: Container): ResolvedImage {
      const r = resolveImage(container.image ?? '', { userCatalogPath: opts.userCatalogPath });
      if (isImageError(r)) throw new ImagePullError(r.message, r.reason);
      return fromCatalog(r);
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
