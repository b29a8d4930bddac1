// `kanzen image …`: the cluster's image store from the command line, worded as the tools
// people already know word it: `load` as `ctr images import`, `pull`, `ls`, `rm` and
// `prune` as crictl's pull, images, rmi and rmi --prune. Every subcommand is one entry of
// IMAGE_COMMANDS and takes --name/--home.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { Pod } from '../api/types.js';
import { ApiClient, resourceFor } from '../client/api-client.js';
import { InvalidReferenceError, normalizedReference, parseImageReference } from '../images/image-reference.js';
import { loadImageArchive } from '../node/images/image-archive.js';
import { pruneImages, removeImage } from '../node/images/image-gc.js';
import { pullImage, RegistryError } from '../node/images/image-pull.js';
import { loadRegistriesConfig, registriesConfigFile } from '../node/images/registries-config.js';
import { ImageStore, type ImageRecord } from '../node/images/image-store.js';
import { ensureSnapshots } from '../node/images/snapshots.js';
import { resolveHome, runningPid, validateClusterName, type ClusterHome } from './cluster-home.js';
import { CliError } from './output.js';

export interface ImageCommandContext {
  home: ClusterHome;
  store: ImageStore;
  out: (line: string) => void;
}

export interface ImageCommand {
  /** `load <file>`: commander's name and arguments. */
  usage: string;
  description: string;
  run(ctx: ImageCommandContext, args: string[]): Promise<void>;
}

export const IMAGE_COMMANDS: readonly ImageCommand[] = [
  {
    usage: 'load <file>',
    description: 'load images from a docker save or OCI archive (- for stdin) or an OCI layout directory',
    run: async (ctx, [file]) => {
      if (file !== '-' && !fs.existsSync(file)) throw new CliError(`open ${file}: no such file or directory`);
      let records: ImageRecord[];
      try {
        records = await loadImageArchive(ctx.store, file);
      } catch (e) {
        // A damaged or foreign archive is the user's input, not a bug: one line, no stack.
        throw new CliError(`failed to load ${file === '-' ? 'the archive on stdin' : file}: ${(e as Error).message}`);
      }
      // As `ctr images import` (which `kind load` runs): one line per image, unpacked on the way.
      for (const rec of records) {
        const line = `unpacking ${rec.name} (${rec.target.digest})...`;
        if (process.getuid?.() !== 0) {
          ctx.out(`${line}skipped (not root: the node agents unpack it on first use)`);
          continue;
        }
        await ensureSnapshots(ctx.store, rec);
        ctx.out(`${line}done`);
      }
    },
  },
  {
    usage: 'pull <ref>',
    description: "pull an image from its registry into the cluster store (mirrors, TLS and credentials from <home>/registries.yaml)",
    run: async (ctx, [ref]) => {
      let rec: ImageRecord;
      try {
        rec = await pullImage(ctx.store, ref, { registries: loadRegistriesConfig(registriesConfigFile(ctx.home.dir)) });
      } catch (e) {
        // crictl's wording for a failed pull.
        if (e instanceof RegistryError) throw new CliError(`pulling image: rpc error: code = ${e.code} desc = ${e.message}`);
        throw e;
      }
      if (process.getuid?.() === 0) await ensureSnapshots(ctx.store, rec);
      ctx.out(`Image is up to date for ${rec.config.digest}`);
    },
  },
  {
    usage: 'ls',
    description: 'list the images in the cluster store (as crictl images)',
    run: async (ctx) => {
      for (const line of imageTable(ctx.store.listImages())) ctx.out(line);
    },
  },
  {
    usage: 'rm <ref...>',
    description: 'remove images and what only they used (as crictl rmi)',
    run: async (ctx, refs) => {
      for (const ref of refs) {
        const rec = findImage(ctx.store, ref);
        if (!rec) throw new CliError(`no such image ${ref}`);
        // crictl rmi removes the image (its ID), so every tag of it goes.
        for (const r of ctx.store.listImages().filter((x) => x.config.digest === rec.config.digest)) {
          removeImage(ctx.store, r.name);
          if (!isDigestName(r.name)) ctx.out(`Deleted: ${r.name}`);
        }
      }
    },
  },
  {
    usage: 'prune',
    description: "remove every image no pod of the cluster uses (as crictl rmi --prune)",
    run: async (ctx) => {
      const inUse = await imagesInUse(ctx.home);
      const byName = new Map(ctx.store.listImages().map((r) => [r.name, r]));
      const result = pruneImages(ctx.store, inUse);
      for (const name of result.images) if (!isDigestName(name) && byName.has(name)) ctx.out(`Deleted: ${name}`);
    },
  },
];

/** Adds `image <subcommand>` for every entry of IMAGE_COMMANDS. */
export function registerImageCommands(program: Command, clusterOptions: (c: Command) => Command): void {
  const image = program.command('image').description("manage the images in the cluster's store");
  for (const cmd of IMAGE_COMMANDS) {
    clusterOptions(image.command(cmd.usage).description(cmd.description)).action(async (...params: unknown[]) => {
      const c = params[params.length - 1] as Command;
      const o = c.opts<{ name: string; home?: string }>();
      const bad = validateClusterName(o.name);
      if (bad) throw new CliError(bad);
      const home = resolveHome(o.name, o.home);
      const args = c.args;
      await cmd.run({ home, store: ImageStore.forHome(home.dir), out: (l) => process.stdout.write(`${l}\n`) }, args);
    });
  }
}

/** The record a reference names: by name (normalized) or by a prefix of its image ID. */
export function findImage(store: ImageStore, ref: string): ImageRecord | undefined {
  try {
    const byName = store.getImage(normalizedReference(parseImageReference(ref)));
    if (byName) return byName;
  } catch (err) {
    if (!(err instanceof InvalidReferenceError)) throw err;
  }
  const id = ref.replace(/^sha256:/, '');
  if (!/^[0-9a-f]{4,64}$/.test(id)) return undefined;
  return store.listImages().find((r) => r.config.digest.slice('sha256:'.length).startsWith(id));
}

/** Names stored by digest only (repo@sha256:…) are repo digests, not tags, to crictl. */
function isDigestName(name: string): boolean {
  return name.includes('@');
}

/** The images the cluster's pods use (normalized); none when the cluster is down. */
async function imagesInUse(home: ClusterHome): Promise<Set<string>> {
  const used = new Set<string>();
  if (!runningPid(home)) return used;
  const client = new ApiClient({ socketPath: home.socket }, 'kanzen');
  try {
    const pods = await client.list<Pod>(resourceFor('pods'));
    for (const pod of pods.items) {
      const spec = pod.spec as Pod['spec'] & { ephemeralContainers?: { image?: string }[] };
      for (const c of [...spec.containers, ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
        try {
          if (c.image) used.add(normalizedReference(parseImageReference(c.image)));
        } catch {
          // an invalid reference names no stored image
        }
      }
    }
  } finally {
    client.close();
  }
  return used;
}

// ---- crictl images' table ---------------------------------------------------------------

/** `crictl images`: one row per tag, grouped by image ID; columns as Go's tabwriter(minwidth 20, padding 3) lays them out. */
export function imageTable(records: ImageRecord[]): string[] {
  if (records.length === 0) return [];
  const byId = new Map<string, ImageRecord[]>();
  for (const r of records) byId.set(r.config.digest, [...(byId.get(r.config.digest) ?? []), r]);
  const rows: string[][] = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
  const groups = [...byId.values()].sort((a, b) => a[0].name.localeCompare(b[0].name));
  for (const group of groups) {
    const id = group[0].config.digest.slice('sha256:'.length, 'sha256:'.length + 13);
    const size = humanSize(group[0].size);
    const tagged = group.filter((r) => !isDigestName(r.name));
    const pairs = tagged.length ? tagged.map((r) => splitRepoTag(r.name)) : [[group[0].name.slice(0, group[0].name.indexOf('@')), '<none>']];
    for (const [repo, tag] of pairs) rows.push([repo, tag, id, size]);
  }
  return tabwriter(rows, 20, 3);
}

function splitRepoTag(name: string): [string, string] {
  const i = name.lastIndexOf(':');
  return i > name.lastIndexOf('/') ? [name.slice(0, i), name.slice(i + 1)] : [name, '<none>'];
}

/** Go's text/tabwriter for tab-terminated cells: each column as wide as its widest cell plus padding, at least minWidth; the last column as is. */
export function tabwriter(rows: string[][], minWidth: number, padding: number): string[] {
  const cols = Math.max(...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < cols - 1; c++) widths.push(Math.max(minWidth, ...rows.map((r) => (r[c] ?? '').length + padding)));
  return rows.map((r) => r.map((cell, c) => (c < cols - 1 ? cell.padEnd(widths[c]) : cell)).join(''));
}

/** docker/go-units' HumanSizeWithPrecision(size, 3): decimal units, Go's %.3g (4.27MB, 999B, 1.5kB). */
export function humanSize(size: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${goFormatG(size, 3)}${units[i]}`;
}

/** Go's %.<p>g: p significant digits, trailing zeros dropped, exponent form (1e+03) when the exponent is < -4 or >= p. */
function goFormatG(n: number, p: number): string {
  if (n === 0) return '0';
  const [mant, exp] = n.toExponential(p - 1).split('e');
  const e = Number(exp);
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (e < -4 || e >= p) return `${trim(mant)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return trim(n.toFixed(Math.max(0, p - 1 - e)));
}
