// kanzen's stand-in images (run when an image can be neither found nor pulled): each entry
// says which references it answers and what the image's config (ENTRYPOINT, CMD, ENV,
// WORKDIR, STOPSIGNAL) is, with the in-image programs mapped to kanzen's own programs or to
// a root filesystem built from busybox and a few of the host's programs (shell-rootfs.ts).
import { fileURLToPath } from 'node:url';
import { HTTP_ECHO_VERSION } from './http-echo/server.js';
import type { ImageReference } from './image-reference.js';
import { NGINX_HTML_ROOT, seedHtml } from './nginx/html.js';
import { nginxVersionForTag } from './nginx/version.js';
import type { ShellRootfsSpec } from './shell-rootfs.js';

/** The image config part of a resolved image (see src/node/image-catalog.ts). */
export interface ImageConfig {
  kind: 'builtin' | 'host-shell';
  entrypoint: string[];
  cmd: string[];
  workingDir?: string;
  env: Record<string, string>;
  writablePaths: string[];
  /** Fills the pod's private copy of `seedPath` before the first start. */
  seed?: (dir: string) => void;
  seedPath?: string;
  user?: string;
  /** The image's STOPSIGNAL; the runtime sends it instead of SIGTERM, as containerd does. */
  stopSignal?: NodeJS.Signals;
  /** Programs of the image by the names a pod spec may use in `command` → host argv prefix. */
  binaries: Record<string, string[]>;
  /** The ports the image EXPOSEs (informational). */
  exposedPorts?: string[];
  /** The image's own root filesystem (shell-rootfs.ts); without it the container's root is the host's /. */
  rootfs?: ShellRootfsSpec;
}

export interface BuiltinImage {
  /** Short name used in docs and tests. */
  name: string;
  matches(ref: ImageReference): boolean;
  config(ref: ImageReference): ImageConfig;
}

/** Absolute path of a program built from src/<rel> (this file lives in dist/images/). */
export function programPath(rel: string): string {
  return fileURLToPath(new URL(`../${rel}`, import.meta.url));
}

const node = (rel: string, ...args: string[]): string[] => [process.execPath, programPath(rel), ...args];

/** PATH of the Alpine and Debian base images (and containerd's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const K8S_REGISTRIES = new Set(['registry.k8s.io', 'k8s.gcr.io', 'staging-k8s.gcr.io', 'gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io']);

const lastComponent = (ref: ImageReference): string => ref.path.slice(ref.path.lastIndexOf('/') + 1);

const onDockerHub = (ref: ImageReference, path: string): boolean =>
  ref.path === path && (ref.domain === 'docker.io' || ref.domain === 'mirror.gcr.io');

// The curlimages/curl entrypoint.sh: arguments that start with "-" are curl's.
const CURL_ENTRYPOINT = ['/bin/sh', '-c', 'if [ "${1#-}" != "$1" ]; then set -- curl "$@"; fi; exec "$@"', '/entrypoint.sh'];

function shellImage(cmd: string[], rootfs?: ShellRootfsSpec): ImageConfig {
  return { kind: 'host-shell', entrypoint: [], cmd, env: { PATH: DEFAULT_PATH }, writablePaths: ['/tmp'], binaries: {}, ...(rootfs ? { rootfs } : {}) };
}

// What each shell image carries: busybox's applets, plus curl in curlimages/curl (an Alpine
// image) and BIND's tools in jessie-dnsutils (a Debian image with dnsutils).
const BUSYBOX_ROOTFS: ShellRootfsSpec = { name: 'busybox', applets: 'bin' };
const ALPINE_ROOTFS: ShellRootfsSpec = { name: 'alpine', applets: 'full' };
const CURL_ROOTFS: ShellRootfsSpec = { name: 'curl', applets: 'full', programs: [{ path: '/usr/bin/curl', debianPackage: 'curl' }] };
const DNSUTILS_ROOTFS: ShellRootfsSpec = {
  name: 'jessie-dnsutils',
  applets: 'full',
  programs: [
    ...['dig', 'nslookup', 'host'].map((p) => ({ path: `/usr/bin/${p}`, debianPackage: 'dnsutils' })),
    { path: '/bin/bash', debianPackage: 'bash' },
    // Debian's sh and env: busybox's (built with "prefer applets") would run its own
    // nslookup applet for `sh -c nslookup` and `kubectl exec … nslookup`, not BIND's.
    { path: '/bin/dash', at: '/bin/sh', debianPackage: 'dash' },
    { path: '/usr/bin/env', debianPackage: 'coreutils' },
  ],
};
// debian and ubuntu: a Debian-shaped shell (bash, dash as /bin/sh, coreutils' env) over
// busybox's applets — the machine's own programs, never the machine's root.
const debianLike = (name: string): ShellRootfsSpec => ({
  name,
  applets: 'full',
  programs: [
    { path: '/bin/bash', debianPackage: 'bash' },
    { path: '/bin/dash', at: '/bin/sh', debianPackage: 'dash' },
    { path: '/usr/bin/env', debianPackage: 'coreutils' },
  ],
});

export const BUILTIN_IMAGES: readonly BuiltinImage[] = [
  {
    name: 'nginx',
    // docker.io/library/nginx and its mirrors, e.g. public.ecr.aws/nginx/nginx.
    matches: (ref) => ref.path === 'library/nginx' || ref.path === 'nginx' || ref.path === 'nginx/nginx',
    config: (ref) => {
      const version = nginxVersionForTag(ref.tag);
      const main = node('images/nginx/main.js');
      return {
        kind: 'builtin',
        entrypoint: main,
        cmd: ['nginx', '-g', 'daemon off;'],
        env: { PATH: DEFAULT_PATH, NGINX_VERSION: version, PKG_RELEASE: '1' },
        writablePaths: [NGINX_HTML_ROOT, '/var/cache/nginx', '/var/run', '/tmp'],
        seed: (dir) => seedHtml(dir, version),
        seedPath: NGINX_HTML_ROOT,
        stopSignal: 'SIGQUIT',
        binaries: {
          '/docker-entrypoint.sh': main,
          'docker-entrypoint.sh': main,
          nginx: [...main, 'nginx'],
          '/usr/sbin/nginx': [...main, 'nginx'],
          'nginx-debug': [...main, 'nginx-debug'],
          '/usr/sbin/nginx-debug': [...main, 'nginx-debug'],
        },
        exposedPorts: ['80/tcp'],
      };
    },
  },
  {
    name: 'agnhost',
    matches: (ref) => lastComponent(ref) === 'agnhost' && (K8S_REGISTRIES.has(ref.domain) || ref.path.endsWith('e2e-test-images/agnhost')),
    config: () => {
      const main = node('images/agnhost/main.js');
      return {
        kind: 'builtin',
        entrypoint: main,
        cmd: ['pause'],
        env: { PATH: DEFAULT_PATH },
        writablePaths: ['/tmp', '/uploads'],
        binaries: { '/agnhost': main, agnhost: main, '/agnhost-2': main, 'agnhost-2': main },
        exposedPorts: ['80/tcp', '8080/tcp', '8081/tcp', '9376/tcp'],
      };
    },
  },
  {
    name: 'pause',
    matches: (ref) =>
      K8S_REGISTRIES.has(ref.domain) && /^(?:.*\/)?pause(?:-amd64|-arm64)?$/.test(ref.path) && !ref.path.includes('agnhost'),
    config: (ref) => {
      const main = node('images/pause/main.js');
      return {
        kind: 'builtin',
        entrypoint: main,
        cmd: [],
        env: { PATH: DEFAULT_PATH, ...(ref.tag && /^\d/.test(ref.tag) ? { KANZEN_PAUSE_VERSION: ref.tag } : {}) },
        writablePaths: [],
        user: '65535:65535',
        binaries: { '/pause': main },
      };
    },
  },
  {
    name: 'http-echo',
    matches: (ref) => onDockerHub(ref, 'hashicorp/http-echo'),
    config: (ref) => {
      const main = node('images/http-echo/main.js');
      const version = ref.tag && /^\d+\.\d+\.\d+$/.test(ref.tag) ? ref.tag : HTTP_ECHO_VERSION;
      return {
        kind: 'builtin',
        entrypoint: main,
        cmd: [],
        env: {
          PATH: DEFAULT_PATH,
          ECHO_TEXT: 'hello-world',
          PRODUCT_NAME: 'http-echo',
          ...(version !== HTTP_ECHO_VERSION ? { KANZEN_HTTP_ECHO_VERSION: version } : {}),
        },
        writablePaths: [],
        binaries: { '/http-echo': main, 'http-echo': main },
        exposedPorts: ['5678/tcp'],
      };
    },
  },
  {
    name: 'coredns',
    matches: (ref) =>
      ((K8S_REGISTRIES.has(ref.domain) || ref.domain === 'docker.io') && (ref.path === 'coredns/coredns' || ref.path === 'coredns')),
    config: () => {
      const main = node('dns/main.js');
      return {
        kind: 'builtin',
        entrypoint: main,
        cmd: ['-conf', '/etc/coredns/Corefile'],
        env: { PATH: DEFAULT_PATH },
        writablePaths: [],
        binaries: { '/coredns': main, coredns: main },
        exposedPorts: ['53/tcp', '53/udp'],
      };
    },
  },
  {
    // The built-in Ingress controller (src/cli/ingress-addon.ts deploys it); no registry has it.
    name: 'ingress-controller',
    matches: (ref) => ref.domain === 'kanzen.io' && ref.path === 'ingress-controller',
    config: () => {
      const main = node('ingress/main.js');
      return {
        kind: 'builtin',
        entrypoint: main,
        cmd: [],
        env: { PATH: DEFAULT_PATH },
        writablePaths: [],
        binaries: { '/ingress-controller': main, 'ingress-controller': main },
        exposedPorts: ['80/tcp', '443/tcp'],
      };
    },
  },
  { name: 'busybox', matches: (ref) => onDockerHub(ref, 'library/busybox'), config: () => shellImage(['sh'], BUSYBOX_ROOTFS) },
  { name: 'alpine', matches: (ref) => onDockerHub(ref, 'library/alpine'), config: () => shellImage(['/bin/sh'], ALPINE_ROOTFS) },
  {
    // The image of Kubernetes' "Debugging DNS Resolution" guide (debian:jessie + dnsutils).
    name: 'jessie-dnsutils',
    matches: (ref) => lastComponent(ref) === 'jessie-dnsutils' && (K8S_REGISTRIES.has(ref.domain) || ref.path.endsWith('e2e-test-images/jessie-dnsutils')),
    config: () => shellImage(['bash'], DNSUTILS_ROOTFS),
  },
  { name: 'debian', matches: (ref) => onDockerHub(ref, 'library/debian'), config: () => shellImage(['bash'], debianLike('debian')) },
  { name: 'ubuntu', matches: (ref) => onDockerHub(ref, 'library/ubuntu'), config: () => shellImage(['/bin/bash'], debianLike('ubuntu')) },
  {
    name: 'curl',
    matches: (ref) => onDockerHub(ref, 'curlimages/curl') || (ref.domain === 'quay.io' && ref.path === 'curl/curl'),
    config: () => ({
      ...shellImage(['curl'], CURL_ROOTFS),
      entrypoint: CURL_ENTRYPOINT,
      binaries: { '/entrypoint.sh': CURL_ENTRYPOINT },
    }),
  },
];

/** The built-in image answering a reference, if any. */
export function findBuiltinImage(ref: ImageReference): BuiltinImage | undefined {
  return BUILTIN_IMAGES.find((b) => b.matches(ref));
}
