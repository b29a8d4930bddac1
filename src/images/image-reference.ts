// Container image references as the kubelet reads them (docker/distribution's
// ParseNormalizedNamed): `nginx:1.26-alpine` is `docker.io/library/nginx:1.26-alpine`,
// a first component with a dot, a colon or `localhost` is a registry, the tag defaults
// to `latest` unless a digest is given.

export interface ImageReference {
  /** The reference as written in the pod spec. */
  raw: string;
  /** Registry host, e.g. `docker.io`, `registry.k8s.io`, `localhost:5000`. */
  domain: string;
  /** Repository path within the registry, e.g. `library/nginx`, `e2e-test-images/agnhost`. */
  path: string;
  tag?: string;
  digest?: string;
}

export class InvalidReferenceError extends Error {}

const DEFAULT_DOMAIN = 'docker.io';
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/;

/** Parses and normalizes a reference; throws InvalidReferenceError with distribution's wording. */
export function parseImageReference(raw: string): ImageReference {
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError('invalid reference format');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError('invalid reference format');
  }
  if (rest === '') throw new InvalidReferenceError('invalid reference format');

  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (!DOMAIN.test(domain)) throw new InvalidReferenceError('invalid reference format');
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (path !== path.toLowerCase()) {
    throw new InvalidReferenceError(`invalid reference format: repository name (${path}) must be lowercase`);
  }
  if (!path.split('/').every((c) => PATH_COMPONENT.test(c)) || domain.length + path.length > 254) {
    throw new InvalidReferenceError('invalid reference format');
  }
  return { raw, domain, path, tag, digest };
}

/** `docker.io/library/nginx` */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The fully qualified reference with the default tag applied: `docker.io/library/nginx:latest`. */
export function normalizedReference(ref: ImageReference): string {
  const tag = ref.tag ?? (ref.digest ? undefined : 'latest');
  return repositoryName(ref) + (tag ? `:${tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** The short form people write (FamiliarString): `nginx:1.26-alpine`, `hashicorp/http-echo:latest`. */
export function familiarReference(ref: ImageReference): string {
  let name = repositoryName(ref);
  if (ref.domain === DEFAULT_DOMAIN) name = ref.path.startsWith('library/') ? ref.path.slice(8) : ref.path;
  const tag = ref.tag ?? (ref.digest ? undefined : 'latest');
  return name + (tag ? `:${tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}
