// The one nftables writer of the code base: every ruleset kanzen programs (the node
// namespaces' transparent-proxy return path, the nftables Service proxy) goes through
// `nft -f -` here, so there is one place that knows how to run nft, in which namespace,
// and how its errors read. A ruleset given to nftApply is one kernel transaction: all
// of it applies, or none of it does.
import { execFile } from 'node:child_process';

/** Where nft runs: the caller's own namespace, or a named one (`ip netns exec`, tests and the daemon). */
export interface NftTarget {
  netns?: string;
}

function nftCommand(target: NftTarget, args: readonly string[]): [string, string[]] {
  return target.netns ? ['ip', ['netns', 'exec', target.netns, 'nft', ...args]] : ['nft', [...args]];
}

function run(target: NftTarget, args: readonly string[], input?: string): Promise<string> {
  const [file, argv] = nftCommand(target, args);
  return new Promise((resolve, reject) => {
    // 256 MiB: a JSON listing of a 10,000-Service table is tens of MiB.
    const child = execFile(file, argv, { maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`nft ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
        return;
      }
      resolve(String(stdout));
    });
    // nft (or `ip netns exec`, for a namespace that is gone) may exit before reading its
    // input: the write then fails with EPIPE, which the exit status already reports.
    child.stdin?.on('error', () => undefined);
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Applies a ruleset (nft's command syntax, one command per line) as one transaction. */
export async function nftApply(ruleset: string, target: NftTarget = {}): Promise<void> {
  await run(target, ['-f', '-'], ruleset);
}

/** `nft -j <args>`, parsed: the `nftables` array of the JSON output. */
export async function nftListJson(args: readonly string[], target: NftTarget = {}): Promise<Record<string, unknown>[]> {
  const out = await run(target, ['-j', ...args]);
  const parsed = JSON.parse(out || '{"nftables":[]}') as { nftables?: Record<string, unknown>[] };
  return parsed.nftables ?? [];
}
