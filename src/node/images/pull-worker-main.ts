// `node dist/node/images/pull-worker-main.js`, run by a node agent in the host's network
// namespace (nsenter --net, image-puller.ts): a node agent lives in its node's namespace,
// which reaches neither the host's loopback nor the outside world, while a registry is
// reached from the machine, as a real node's containerd reaches it. Reads one request as
// JSON on stdin, pulls into the shared store, answers one JSON line on stdout.
import type { Secret } from '../../api/types.js';
import { keyringFromSecrets } from './docker-config.js';
import { pullImage, RegistryError } from './image-pull.js';
import { ImageStore } from './image-store.js';
import { loadRegistriesConfig } from './registries-config.js';

export interface PullRequest {
  storeRoot: string;
  reference: string;
  registriesFile: string;
  secrets: Secret[];
}

export type PullAnswer = { name: string } | { error: { message: string; code: string; unreachable: boolean; registry: boolean } };

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

async function main(): Promise<PullAnswer> {
  const req = JSON.parse(await readStdin()) as PullRequest;
  try {
    const rec = await pullImage(new ImageStore(req.storeRoot), req.reference, {
      registries: loadRegistriesConfig(req.registriesFile),
      credentials: keyringFromSecrets(req.secrets),
    });
    return { name: rec.name };
  } catch (e) {
    if (e instanceof RegistryError) return { error: { message: e.message, code: e.code, unreachable: e.unreachable, registry: true } };
    return { error: { message: (e as Error).message, code: 'Unknown', unreachable: false, registry: false } };
  }
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
