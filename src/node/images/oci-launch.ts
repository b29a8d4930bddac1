// What the kubelet's image resolver hands the container launcher for an image from the
// store: the unpacked layers to stack under the container's writable layer, and the
// image's config (Entrypoint, Cmd, Env, WorkingDir, User, StopSignal).
import type { ImageConfig } from './oci.js';

export interface OciLaunch {
  kind: 'oci';
  /** The image's normalized name (docker.io/library/nginx:latest). */
  image: string;
  /** Unpacked layer directories (snapshots.ts), top layer first: overlayfs' lowerdir order. */
  lowerDirs: string[];
  config: ImageConfig;
}

export function isOciLaunch(v: unknown): v is OciLaunch {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'oci';
}
