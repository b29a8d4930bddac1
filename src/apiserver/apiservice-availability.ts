// The Available condition of APIServices (kube-aggregator's availability controllers,
// pkg/controllers/status/local and remote): a Local APIService is always available; one backed
// by a Service is available when that Service exists, listens on the APIService's port, has a
// ready endpoint with that port's name, and answers discovery for the group/version. kanzen
// answers discovery itself for the groups it serves (metrics.k8s.io); it does not proxy to API
// servers outside itself, so any other Service-backed APIService fails the discovery check.
import { rfc3339 } from '../api/time.js';
import type { APIService, APIServiceCondition, EndpointSlice, Service } from '../api/types.js';

/** What the checks read of the Service an APIService names. */
export interface BackingService {
  service?: Service;
  /** The EndpointSlices labelled kubernetes.io/service-name=<the Service>. */
  slices: EndpointSlice[];
}

type Verdict = Pick<APIServiceCondition, 'status' | 'reason' | 'message'>;

function serviceVerdict(svc: APIService, backing: BackingService, servedHere: boolean): Verdict {
  const ref = svc.spec.service!;
  const where = `service/${ref.name} in "${ref.namespace}"`;
  const service = backing.service;
  if (!service) return { status: 'False', reason: 'ServiceNotFound', message: `${where} is not present` };
  const port = ref.port ?? 443;
  // Upstream checks the port and endpoints of ClusterIP Services only (ExternalName ones go straight to discovery).
  if ((service.spec?.type ?? 'ClusterIP') === 'ClusterIP') {
    const servicePort = service.spec?.ports?.find((p) => p.port === port);
    if (!servicePort) return { status: 'False', reason: 'ServicePortError', message: `${where} is not listening on port ${port}` };
    if (backing.slices.length === 0) return { status: 'False', reason: 'EndpointsNotFound', message: `cannot find endpointslices for ${where}` };
    const portName = servicePort.name ?? '';
    const ready = backing.slices.some(
      (s) => (s.endpoints ?? []).some((e) => e.conditions?.ready !== false) && (s.ports ?? []).some((p) => (p.name ?? '') === portName && p.port !== undefined),
    );
    if (!ready) return { status: 'False', reason: 'MissingEndpoints', message: `endpointslices for ${where} have no addresses with port name "${portName}"` };
  }
  if (!servedHere) {
    const url = `https://${service.spec?.clusterIP ?? `${ref.name}.${ref.namespace}.svc`}:${port}/apis/${svc.spec.group}/${svc.spec.version}`;
    return { status: 'False', reason: 'FailedDiscoveryCheck', message: `failing or missing response from ${url}: kanzen does not proxy to API servers outside itself` };
  }
  return { status: 'True', reason: 'Passed', message: 'all checks passed' };
}

/**
 * The Available condition svc should carry now. `backing` is the Service it names (ignored for
 * Local ones); `servedHere` says whether this API server serves the group/version itself.
 */
export function availableCondition(svc: APIService, backing: BackingService, servedHere: boolean, now: Date): APIServiceCondition {
  const verdict: Verdict = svc.spec.service
    ? serviceVerdict(svc, backing, servedHere)
    : { status: 'True', reason: 'Local', message: 'Local APIServices are always available' };
  return { type: 'Available', ...verdict, lastTransitionTime: rfc3339(now) };
}

/**
 * The conditions with `cond` set (SetAPIServiceCondition): the time of the last transition is
 * kept while the status stays the same. Undefined when nothing changes (no status write).
 */
export function withCondition(conditions: APIServiceCondition[] | undefined, cond: APIServiceCondition): APIServiceCondition[] | undefined {
  const list = conditions ?? [];
  const old = list.find((c) => c.type === cond.type);
  if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return undefined;
  const next = old && old.status === cond.status ? { ...cond, lastTransitionTime: old.lastTransitionTime } : cond;
  return old ? list.map((c) => (c === old ? next : c)) : [...list, next];
}
