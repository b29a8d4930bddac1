// The kubelet's side of a pull (upstream pkg/kubelet/images/puller.go + the CRI's
// PullImage): the pod's imagePullSecrets become the credentials, <home>/registries.yaml the
// mirrors and TLS (read at every pull, so an edit needs no restart), and a registry's
// failure becomes the message the kubelet shows for ErrImagePull, `rpc error: code = …
// desc = …` as it comes back from containerd over the CRI.
//
// A node agent runs in its node's network namespace, which reaches no registry (not even
// one on the host's loopback): the pull itself runs in a short-lived worker in the host's
// network namespace (pull-worker-main.ts), as a real node's containerd pulls from the
// machine's network. The store is files shared by every node, so the worker writes straight
// into it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNotFound } from '../../api/errors.js';
import type { Pod, Secret } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import type { Logger } from '../../util/logger.js';
import type { ImageRecord, ImageStore } from '../images/image-store.js';
import type { PullAnswer, PullRequest } from '../images/pull-worker-main.js';
import { registriesConfigFile } from '../images/registries-config.js';

const secrets = resourceFor('secrets');
const workerMain = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'images', 'pull-worker-main.js');

/** A pull failure as the kubelet reports it; `unreachable` when no registry answered at all. */
export class PullFailure extends Error {
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
  }
}

export interface ImagePullerOptions {
  store: ImageStore;
  client: ApiClient;
  homeDir: string;
  logger: Logger;
  /** A path to the host's network namespace (nsenter --net); without it the pull runs in this process's namespace. */
  hostNetns?: string;
}

/**
 * A handle on the network namespace of the process that started this one (the supervisor,
 * in the host's namespace), kept open for the agent's lifetime so it stays valid if that
 * process goes; undefined when both are in the same namespace.
 */
export function parentNetnsHandle(): string | undefined {
  try {
    const parent = `/proc/${process.ppid}/ns/net`;
    if (fs.readlinkSync(parent) === fs.readlinkSync('/proc/self/ns/net')) return undefined;
    const fd = fs.openSync(parent, 'r');
    return `/proc/${process.pid}/fd/${fd}`;
  } catch {
    return undefined;
  }
}

/** The pull function the image manager calls: reference + pod → the stored image. */
export function imagePuller(opts: ImagePullerOptions): (reference: string, pod: Pod) => Promise<ImageRecord> {
  return async (reference, pod) => {
    const req: PullRequest = { storeRoot: opts.store.root, reference, registriesFile: registriesConfigFile(opts.homeDir), secrets: await pullSecrets(opts, pod) };
    const answer = await runWorker(req, opts.hostNetns);
    if ('error' in answer) {
      const e = answer.error;
      throw new PullFailure(e.registry ? `rpc error: code = ${e.code} desc = ${e.message}` : e.message, e.unreachable);
    }
    const rec = opts.store.getImage(answer.name);
    if (!rec) throw new PullFailure(`image ${answer.name} was pulled but is not in the store`, false);
    return rec;
  };
}

function runWorker(req: PullRequest, hostNetns: string | undefined): Promise<PullAnswer> {
  const argv = hostNetns ? ['nsenter', `--net=${hostNetns}`, '--', process.execPath, workerMain] : [process.execPath, workerMain];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 8192) err += d;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve(JSON.parse(out) as PullAnswer);
      } catch {
        reject(new Error(`the image pull worker failed (exit ${code}): ${err.trim() || out.trim()}`));
      }
    });
    child.stdin.end(JSON.stringify(req));
  });
}

/** The pod's pull secrets that exist; a missing one is logged and skipped, as the kubelet does. */
async function pullSecrets(opts: ImagePullerOptions, pod: Pod): Promise<Secret[]> {
  const ns = pod.metadata.namespace ?? 'default';
  const out: Secret[] = [];
  for (const ref of pod.spec.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    try {
      out.push(await opts.client.get<Secret>(secrets, ns, ref.name));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      opts.logger.warn('Unable to retrieve pull secret, the image pull may not succeed.', { pod: `${ns}/${pod.metadata.name ?? ''}`, secret: ref.name });
    }
  }
  return out;
}
