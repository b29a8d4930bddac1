// Client IP preservation: the proxy connects to an endpoint from the client's own address
// and port, so the endpoint sees who called (as behind kube-proxy's DNAT). It needs three
// things: a transparent socket (IP_TRANSPARENT, set by the native helper in
// native/ip-transparent.c — Node has no setsockopt), the node namespace's
// ip_nonlocal_bind (so libuv can bind the client's address before connecting), and the
// node's nftables rule that delivers the endpoint's answers to that socket instead of
// forwarding them to the client (cluster-network.ts).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Native {
  setTransparent(fd: number): number;
  getNoFileLimit(): [number, number] | number;
  setNoFileLimit(soft: number, hard: number): number;
  trimMemory(): boolean;
}

const addonPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'native', 'ip-transparent.node');

let native: Native | undefined;
let loadError: string | undefined;
try {
  native = createRequire(import.meta.url)(addonPath) as Native;
} catch (e) {
  loadError = `${addonPath}: ${(e as Error).message.split('\n')[0]}`;
}

/** Why client IPs cannot be preserved in this build, or undefined when they can. */
export function transparentUnavailable(): string | undefined {
  return native ? undefined : loadError;
}

/** Makes a bound socket transparent: 0, or the errno of the failure (or -1 without the helper). */
export function setTransparent(fd: number): number {
  return native ? native.setTransparent(fd) : -1;
}

// The same helper carries the proxy's other system calls Node lacks (fd-limit.ts).

/** RLIMIT_NOFILE as [soft, hard] (-1: unlimited), or undefined without the helper. */
export function getNoFileLimit(): [number, number] | undefined {
  const r = native?.getNoFileLimit();
  return Array.isArray(r) ? r : undefined;
}

/** setrlimit(RLIMIT_NOFILE): 0, or the errno of the failure (or -1 without the helper). */
export function setNoFileLimit(soft: number, hard: number): number {
  return native ? native.setNoFileLimit(soft, hard) : -1;
}

/** Gives malloc's free memory back to the system (glibc malloc_trim); false when nothing was or could be. */
export function trimMemory(): boolean {
  return native ? native.trimMemory() : false;
}
