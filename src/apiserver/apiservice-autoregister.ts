// The APIServices every cluster has (upstream: kube-apiserver's autoregister controller, which
// writes one Local APIService per built-in group/version with the priorities of
// apiVersionPriorities / DefaultGenericAPIServicePriorities). kanzen also registers
// v1beta1.metrics.k8s.io as metrics-server's manifest does, backed by the metrics-server Service
// (bootstrap.ts), whose endpoint is the API server itself: the process that serves the group.
import { ApiError } from '../api/errors.js';
import { groupVersions } from '../api/resources.js';
import type { APIService } from '../api/types.js';
import type { ApiServer } from './server.js';

interface Priority {
  group: number;
  version: number;
}

/** Upstream's discovery priorities of the built-in group/versions kanzen serves. */
const builtinPriorities: Record<string, Priority> = {
  v1: { group: 18000, version: 1 },
  'apiregistration.k8s.io/v1': { group: 18000, version: 15 },
  'apps/v1': { group: 17800, version: 15 },
  'authentication.k8s.io/v1': { group: 17700, version: 15 },
  'authorization.k8s.io/v1': { group: 17600, version: 15 },
  'autoscaling/v1': { group: 17500, version: 15 },
  'autoscaling/v2': { group: 17500, version: 30 },
  'batch/v1': { group: 17400, version: 15 },
  'policy/v1': { group: 17100, version: 15 },
  'rbac.authorization.k8s.io/v1': { group: 17000, version: 15 },
  'storage.k8s.io/v1': { group: 16800, version: 15 },
  'apiextensions.k8s.io/v1': { group: 16700, version: 15 },
  'scheduling.k8s.io/v1': { group: 16600, version: 15 },
  'coordination.k8s.io/v1': { group: 16500, version: 15 },
  'discovery.k8s.io/v1': { group: 16200, version: 15 },
};

/** metrics-server's APIService (its components.yaml): the Service in front of it, low priority. */
export const metricsAPIService: APIService = {
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  metadata: { name: 'v1beta1.metrics.k8s.io', labels: { 'k8s-app': 'metrics-server' } },
  spec: {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
    insecureSkipTLSVerify: true,
    groupPriorityMinimum: 100,
    versionPriority: 100,
  },
};

/** The Local APIService of a built-in group/version ("v1" for the core group, else "<version>.<group>"). */
export function localAPIService(group: string, version: string): APIService | undefined {
  const priority = builtinPriorities[group ? `${group}/${version}` : version];
  if (!priority) return undefined;
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: `${version}.${group}`, labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } },
    spec: { group, version, groupPriorityMinimum: priority.group, versionPriority: priority.version },
  };
}

/** The APIServices kanzen registers at start: a Local one per built-in group/version, and metrics-server's. */
export function autoregisteredAPIServices(): APIService[] {
  const out: APIService[] = [];
  for (const gv of groupVersions()) {
    const local = localAPIService(gv.group, gv.version);
    if (local) out.push(local);
  }
  return [...out, metricsAPIService];
}

const ctx = { dryRun: false, fieldManager: 'kube-apiserver' };

/**
 * Creates the missing APIServices (their Available condition is the availability
 * controller's, apiservice-serving.ts). As upstream's "onstart" registrations and an add-on
 * manager's manifests, a deleted one comes back at the next start of the control plane.
 */
export async function registerAPIServices(server: ApiServer): Promise<void> {
  const reg = server.registry('apiservices', 'apiregistration.k8s.io');
  for (const svc of autoregisteredAPIServices()) {
    if (await reg.tryGet(undefined, svc.metadata.name!)) continue;
    await reg.create(undefined, structuredClone(svc), ctx).catch((e) => {
      // Another control plane on the same store made it first.
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    });
  }
}
