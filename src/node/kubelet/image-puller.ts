// The kubelet's side of a pull (upstream pkg/kubelet/images/puller.go + the CRI's
// PullImage): the pod's imagePullSecrets become the credentials, <home>/registries.yaml the
// mirrors and TLS (read at every pull, so an edit needs no restart), and a registry's
// failure becomes the message the kubelet shows for ErrImagePull, `rpc error: code = …
// desc = …` as it comes back from containerd over the CRI.
import { isNotFound } from '../../api/errors.js';
import type { Pod, Secret } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import type { Logger } from '../../util/logger.js';
import { keyringFromSecrets } from '../images/docker-config.js';
import { pullImage, RegistryError } from '../images/image-pull.js';
import type { ImageRecord, ImageStore } from '../images/image-store.js';
import { loadRegistriesConfig, registriesConfigFile } from '../images/registries-config.js';

const secrets = resourceFor('secrets');

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
}

/** The pull function the image manager calls: reference + pod → the stored image. */
export function imagePuller(opts: ImagePullerOptions): (reference: string, pod: Pod) => Promise<ImageRecord> {
  return async (reference, pod) => {
    let registries;
    try {
      registries = loadRegistriesConfig(registriesConfigFile(opts.homeDir));
    } catch (e) {
      throw new PullFailure((e as Error).message, false);
    }
    const credentials = keyringFromSecrets(await pullSecrets(opts, pod));
    try {
      return await pullImage(opts.store, reference, { registries, credentials });
    } catch (e) {
      if (e instanceof RegistryError) throw new PullFailure(`rpc error: code = ${e.code} desc = ${e.message}`, e.unreachable);
      throw e;
    }
  };
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
