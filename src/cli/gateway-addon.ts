// The Gateway API half of the built-in controller add-on: upstream's standard-channel CRDs
// (src/gateway/crds, as a user installs them with `kubectl apply`) and the GatewayClass
// `kanzen`, whose controllerName the controller in the kanzen-ingress pod (src/ingress/main.ts)
// serves. The controller's RBAC is in ingress-addon.ts's ClusterRole (one pod, one role).
// Created once if absent, like every add-on object: a user's edits survive restarts.
import { resourceFor, type ApiClient } from '../client/api-client.js';
import { gatewayAPICRDs, gatewayClassesInfo } from '../gateway/gateway-crds.js';
import { kanzenGatewayClass } from '../gateway/gateway-class.js';
import { createIfAbsent } from './cluster-dns-addon.js';

/** How long the CRDs may take to be Established before the GatewayClass is created anyway (it then fails loudly). */
const establishTimeoutMs = 30_000;
const establishPollMs = 50;

async function waitEstablished(client: ApiClient, name: string): Promise<void> {
  const info = resourceFor('customresourcedefinitions', 'apiextensions.k8s.io');
  const deadline = Date.now() + establishTimeoutMs;
  for (;;) {
    const crd = await client.get(info, undefined, name);
    const conditions = (crd as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True') || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, establishPollMs));
  }
}

export async function installGatewayAPI(client: ApiClient): Promise<void> {
  const crds = resourceFor('customresourcedefinitions', 'apiextensions.k8s.io');
  for (const crd of gatewayAPICRDs()) await createIfAbsent(client, crds, crd);
  for (const crd of gatewayAPICRDs()) await waitEstablished(client, crd.metadata.name!);
  await createIfAbsent(client, gatewayClassesInfo(), kanzenGatewayClass());
}
