// The image catalog: kanzen's stand-ins and the user's own mappings (the image manager,
// kubelet/image-manager.ts, turns to it when an image is neither stored nor pullable). A
// reference resolves to a built-in program (nginx, agnhost, pause, http-echo, coredns, the
// Ingress controller), to a root filesystem of busybox and a few programs (busybox, alpine,
// curlimages/curl, jessie-dnsutils, debian, ubuntu: src/images/shell-rootfs.ts, stored as real images by
// images/builtin-shell-images.ts), or to a local command from the user catalog
// <home>/images.yaml (docs/images.md). What cannot be resolved fails the way a pull failure
// does (ErrImagePull, then ImagePullBackOff).
//
// applyCommandArgs then applies Kubernetes' command/args rules to the resolved image.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Container } from '../api/types.js';
import { DEFAULT_PATH, findBuiltinImage, type ImageConfig } from '../images/builtin-images.js';
import {
  familiarReference,
  InvalidReferenceError,
  normalizedReference,
  parseImageReference,
  repositoryName,
  type ImageReference,
} from '../images/image-reference.js';

export interface ResolvedImage extends Omit<ImageConfig, 'kind'> {
  kind: 'builtin' | 'host-shell' | 'user';
  /** For status.containerStatuses[].image: `docker.io/library/nginx:1.26-alpine`. */
  image: string;
  /** A stable fake digest of the reference: `sha256:<hex>`. */
  imageID: string;
  /** For status.containerStatuses[].imageID: `docker.io/library/nginx@sha256:<hex>`. */
  imageRef: string;
  /** The built root filesystem of an image with `rootfs` (set by the kubelet's resolver). */
  rootDir?: string;
}

export interface ImageError {
  reason: 'ErrImagePull' | 'InvalidImageName';
  message: string;
}

export interface ResolveImageOptions {
  /** <home>/images.yaml; without it only built-in images resolve. */
  userCatalogPath?: string;
}

export function isImageError(r: ResolvedImage | ImageError): r is ImageError {
  return 'reason' in r;
}

export function resolveImage(image: string, opts: ResolveImageOptions = {}): ResolvedImage | ImageError {
  let ref: ImageReference;
  try {
    ref = parseImageReference(image);
  } catch (err) {
    if (!(err instanceof InvalidReferenceError)) throw err;
    // kubelet images.applyDefaultImageTag → parsers.ParseImageName
    return {
      reason: 'InvalidImageName',
      message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${err.message}`,
    };
  }
  const identity = imageIdentity(ref);

  if (opts.userCatalogPath) {
    const user = loadUserCatalog(opts.userCatalogPath);
    if ('error' in user) return { reason: 'ErrImagePull', message: user.error };
    const entry = user.entries.find((e) => userEntryMatches(e.pattern, image, ref));
    if (entry) {
      return {
        kind: 'user',
        entrypoint: entry.command ?? [],
        cmd: entry.args ?? [],
        workingDir: entry.workingDir,
        env: { PATH: DEFAULT_PATH, ...entry.env },
        writablePaths: entry.writablePaths ?? [],
        stopSignal: entry.stopSignal,
        binaries: {},
        ...identity,
      };
    }
  }

  const builtin = findBuiltinImage(ref);
  if (builtin) return { ...builtin.config(ref), ...identity };

  const where = opts.userCatalogPath ?? '<home>/images.yaml';
  return {
    reason: 'ErrImagePull',
    message: `image "${image}" is not in kanzen's image catalog: map it to a local command in ${where} (see docs/images.md)`,
  };
}

function imageIdentity(ref: ImageReference): Pick<ResolvedImage, 'image' | 'imageID' | 'imageRef'> {
  const image = normalizedReference(ref);
  const digest = ref.digest ?? `sha256:${createHash('sha256').update(image).digest('hex')}`;
  return { image, imageID: digest, imageRef: `${repositoryName(ref)}@${digest}` };
}

// ---- the user catalog ------------------------------------------------------------

export interface UserCatalogEntry {
  /** An image reference, exact or with `*` / `?` wildcards; without a tag it matches every tag. */
  pattern: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: Record<string, string>;
  writablePaths?: string[];
  stopSignal?: NodeJS.Signals;
}

type UserCatalog = { entries: UserCatalogEntry[] } | { error: string };

let cached: { path: string; mtimeMs: number; size: number; catalog: UserCatalog } | undefined;

/** Reads <home>/images.yaml (re-read when it changes); a missing file is an empty catalog. */
export function loadUserCatalog(path: string): UserCatalog {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch {
    return { entries: [] };
  }
  if (cached && cached.path === path && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.catalog;
  let catalog: UserCatalog;
  try {
    catalog = { entries: parseUserCatalog(fs.readFileSync(path, 'utf8')) };
  } catch (err) {
    catalog = { error: `invalid image catalog ${path}: ${(err as Error).message}` };
  }
  cached = { path, mtimeMs: st.mtimeMs, size: st.size, catalog };
  return catalog;
}

/**
 * Parses the catalog text. Two shapes are accepted: a map from pattern to entry
 * (`images: {"my-backend-api:v1": {command: [...]}}`) or a list of entries with an
 * `image` field (`images: [{image: "my-backend-api:*", command: [...]}]`). The first
 * matching entry wins, in file order.
 */
export function parseUserCatalog(text: string): UserCatalogEntry[] {
  const doc: unknown = parseYaml(text);
  if (doc === null || doc === undefined) return [];
  if (!isObject(doc)) throw new Error('expected a mapping with an "images" key');
  const images = doc.images;
  if (images === undefined || images === null) return [];
  const raw: Array<[string, unknown]> = Array.isArray(images)
    ? images.map((e, i) => {
        if (!isObject(e) || typeof e.image !== 'string') throw new Error(`images[${i}]: "image" must be a string`);
        return [e.image, e];
      })
    : isObject(images)
      ? Object.entries(images)
      : (() => {
          throw new Error('"images" must be a list or a mapping');
        })();
  return raw.map(([pattern, value]) => toEntry(pattern, value));
}

function toEntry(pattern: string, value: unknown): UserCatalogEntry {
  const at = `images[${JSON.stringify(pattern)}]`;
  if (!isObject(value)) throw new Error(`${at}: must be a mapping`);
  const strings = (key: string): string[] | undefined => {
    const v = value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' || typeof s === 'number')) {
      throw new Error(`${at}.${key}: must be a list of strings`);
    }
    return v.map(String);
  };
  const env: Record<string, string> = {};
  if (value.env !== undefined && value.env !== null) {
    if (!isObject(value.env)) throw new Error(`${at}.env: must be a mapping of names to values`);
    for (const [k, v] of Object.entries(value.env)) env[k] = String(v);
  }
  const command = strings('command');
  if (!command || command.length === 0) throw new Error(`${at}.command: required`);
  const workingDir = value.workingDir;
  if (workingDir !== undefined && typeof workingDir !== 'string') throw new Error(`${at}.workingDir: must be a string`);
  const stopSignal = value.stopSignal;
  if (stopSignal !== undefined && (typeof stopSignal !== 'string' || !/^SIG[A-Z0-9]+$/.test(stopSignal))) {
    throw new Error(`${at}.stopSignal: must be a signal name such as SIGTERM`);
  }
  return {
    pattern,
    command,
    args: strings('args'),
    workingDir,
    env,
    writablePaths: strings('writablePaths'),
    stopSignal: stopSignal as NodeJS.Signals | undefined,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A pattern matches the reference as written, its short form (`my-backend-api:v1`) or its
 * full form (`docker.io/library/my-backend-api:v1`). A pattern without a tag or digest
 * matches the repository at any tag.
 */
export function userEntryMatches(pattern: string, image: string, ref: ImageReference): boolean {
  const forms = [image, familiarReference(ref), normalizedReference(ref)];
  const re = globToRegExp(pattern);
  if (forms.some((f) => re.test(f))) return true;
  const lastSlash = pattern.lastIndexOf('/');
  const hasTag = pattern.indexOf(':', lastSlash + 1) >= 0 || pattern.includes('@');
  if (hasTag) return false;
  const repo = familiarReference({ ...ref, tag: undefined, digest: undefined }).replace(/:latest$/, '');
  return re.test(repo) || re.test(repositoryName(ref));
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

// ---- command and args --------------------------------------------------------------

/** What the runtime starts: argv with argv[0] an absolute or PATH-resolvable host program. */
export interface ContainerProcess {
  argv: string[];
  workingDir?: string;
  env: Record<string, string>;
}

export interface CommandError {
  reason: 'CreateContainerError';
  message: string;
}

/**
 * Kubernetes' rules for the process of a container (kubelet
 * kubecontainer.ExpandContainerCommandAndArgs, then the CRI's getProcessArgs):
 * `command` replaces the ENTRYPOINT and drops the CMD; `args` alone replace the CMD;
 * $(VAR) in either expands from the container's environment ($$ escapes, unknown
 * names stay as written). The image's ENV is the base environment, the container's
 * entries override it. `containerEnv` is the container's resolved environment
 * (env + envFrom + service variables); without it the literal `env` values are used.
 */
export function applyCommandArgs(
  resolved: ResolvedImage,
  container: Pick<Container, 'command' | 'args' | 'env' | 'workingDir'>,
  containerEnv: Record<string, string> = literalEnv(container),
): ContainerProcess | CommandError {
  const mapping = mappingFuncFor(containerEnv);
  let command = (container.command ?? []).map((c) => expand(c, mapping));
  let args = (container.args ?? []).map((a) => expand(a, mapping));
  if (command.length === 0) {
    if (args.length === 0) args = [...resolved.cmd];
    command = [...resolved.entrypoint];
  }
  const argv = resolveCommand(resolved, [...command, ...args]);
  if (argv.length === 0) return { reason: 'CreateContainerError', message: 'failed to generate spec: no command specified' };
  return {
    argv,
    workingDir: container.workingDir || resolved.workingDir,
    env: { ...resolved.env, ...containerEnv },
  };
}

/**
 * Maps argv[0] from a program of the image (`/agnhost`, `nginx`, `/docker-entrypoint.sh`)
 * to the host command that plays it; anything else is left for PATH. Also for exec.
 */
export function resolveCommand(resolved: Pick<ResolvedImage, 'binaries'>, argv: string[]): string[] {
  if (argv.length === 0) return argv;
  const host = resolved.binaries[argv[0]];
  return host ? [...host, ...argv.slice(1)] : argv;
}

/** The container's literal env values, each expanded with the ones before it (kubelet makeEnvironmentVariables). */
export function literalEnv(container: Pick<Container, 'env'>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.valueFrom) continue;
    env[e.name] = expand(e.value ?? '', mappingFuncFor(env));
  }
  return env;
}

// third_party/forked/golang/expansion: MappingFuncFor and Expand.
const OPERATOR = '$';
const OPENER = '(';
const CLOSER = ')';

/** A lookup through the maps in order; a name found nowhere is returned as `$(name)`. */
export function mappingFuncFor(...contexts: Array<Record<string, string>>): (name: string) => string {
  return (name) => {
    for (const ctx of contexts) {
      if (Object.prototype.hasOwnProperty.call(ctx, name)) return ctx[name];
    }
    return `${OPERATOR}${OPENER}${name}${CLOSER}`;
  };
}

/** Replaces $(VAR) references; `$$` is an escaped `$`; an unterminated `$(` stays literal. */
export function expand(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] === OPERATOR && cursor + 1 < input.length) {
      out += input.slice(checkpoint, cursor);
      const [read, isVar, advance] = tryReadVariableName(input.slice(cursor + 1));
      out += isVar ? mapping(read) : read;
      cursor += advance;
      checkpoint = cursor + 1;
    }
  }
  return out + input.slice(checkpoint);
}

function tryReadVariableName(input: string): [string, boolean, number] {
  switch (input[0]) {
    case OPERATOR:
      return [OPERATOR, false, 1];
    case OPENER:
      for (let i = 1; i < input.length; i++) {
        if (input[i] === CLOSER) return [input.slice(1, i), true, i + 1];
      }
      return [OPERATOR + OPENER, false, 1];
    default:
      return [OPERATOR + input[0], false, 1];
  }
}
