// Which cluster on this machine owns which LoadBalancer pool. The pools are loopback ranges
// of the host's one namespace, so two clusters handing out the same 127.0.100.1 would both
// bind 127.0.100.1:80 and the second one's Service would never answer. Each cluster holds
// its pool with a claim: a symbolic link named after the range, in a machine-wide folder,
// pointing at the cluster's config (cluster.json). A claim is live while that config exists
// and still names the range, so a stopped cluster keeps its pool (its Services keep their
// EXTERNAL-IPs when it comes back) and one deleted without `down --purge` (its home removed
// by hand) frees it. Creating a link is atomic, so two `up`s at once cannot take one range.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The ranges `up` picks from, in order, when no --lb-pool is given: 127.0.100.0/24 first. */
export const defaultPools = Array.from({ length: 100 }, (_, i) => `127.0.${100 + i}.0/24`);

/** The machine-wide claims folder: /var/lib for root (kept across reboots, as the homes are), the user's own otherwise. */
export function defaultClaimsDir(): string {
  if (process.env.KANZEN_LB_POOL_CLAIMS) return process.env.KANZEN_LB_POOL_CLAIMS;
  if (process.getuid?.() === 0) return '/var/lib/kanzen/lb-pools';
  return path.join(os.homedir(), '.kanzen', 'lb-pools');
}

const claimFile = (dir: string, pool: string) => path.join(dir, pool.replace('/', '-'));

function linkExists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** The config a claim points at, if that config still names the pool; undefined for a stale claim or none. */
export function claimant(dir: string, pool: string): string | undefined {
  let target: string;
  try {
    target = fs.readlinkSync(claimFile(dir, pool));
  } catch {
    return undefined;
  }
  try {
    const cfg = JSON.parse(fs.readFileSync(target, 'utf8')) as { lbPool?: unknown };
    return cfg.lbPool === pool ? target : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims pool for the cluster whose config is at configFile: true when it is now (or was
 * already) this cluster's, false when another live cluster holds it. writeConfig is called
 * with the pool before the link is made, so a claim never points at a config that names
 * another range.
 */
export function claimPool(dir: string, pool: string, configFile: string, writeConfig: (pool: string) => void): boolean {
  const owner = claimant(dir, pool);
  if (owner === configFile) return true;
  if (owner) return false;
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeConfig(pool);
  // A stale claim is replaced; a range with no claim is never unlinked, so two `up`s taking a
  // free range race on the link below and only one wins. Two replacing the same stale claim
  // (left by a home deleted by hand) at the same instant could both win: not guarded against.
  if (linkExists(claimFile(dir, pool))) fs.rmSync(claimFile(dir, pool), { force: true });
  try {
    fs.symlinkSync(configFile, claimFile(dir, pool));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return claimant(dir, pool) === configFile;
    throw e;
  }
}

/** The first of the candidate ranges no other live cluster holds, claimed; undefined when all are taken. */
export function claimFreePool(dir: string, candidates: readonly string[], configFile: string, writeConfig: (pool: string) => void): string | undefined {
  return candidates.find((pool) => claimPool(dir, pool, configFile, writeConfig));
}

/** Gives up every range this cluster's config holds (`down --purge`). */
export function releasePools(dir: string, configFile: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const f = path.join(dir, n);
    try {
      if (fs.readlinkSync(f) === configFile) fs.rmSync(f, { force: true });
    } catch {
      // not a link: not ours
    }
  }
}
