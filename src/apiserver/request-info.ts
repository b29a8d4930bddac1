// Parses an API path into what it addresses (upstream: apiserver/pkg/endpoints/request/requestinfo.go).
//   /api/v1/namespaces/default/pods/web/status  → core v1 pods, ns default, name web, subresource status
//   /apis/apps/v1/deployments                    → apps v1 deployments across all namespaces
//   /api/v1/namespaces/default                   → the namespace "default" itself
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Path segments beyond the subresource (e.g. proxy paths). */
  rest: string[];
}

export function parseRequestInfo(pathname: string): RequestInfo {
  const parts = pathname.split('/').filter((p) => p.length > 0).map(decodeURIComponent);
  const none: RequestInfo = { isResourceRequest: false, path: pathname, group: '', version: '', resource: '', rest: [] };
  let i = 0;
  let group = '';
  if (parts[0] === 'api') {
    i = 1;
  } else if (parts[0] === 'apis') {
    if (parts.length < 2) return none;
    group = parts[1];
    i = 2;
  } else {
    return none;
  }
  if (parts.length <= i) return { ...none, group };
  const version = parts[i++];
  if (parts.length <= i) return { ...none, group, version };
  const info: RequestInfo = { isResourceRequest: true, path: pathname, group, version, resource: '', rest: [] };
  let rest = parts.slice(i);
  if (rest[0] === 'namespaces') {
    if (rest.length >= 3) {
      // /namespaces/{ns}/{resource}/...
      info.namespace = rest[1];
      rest = rest.slice(2);
    } else {
      // /namespaces or /namespaces/{name}: the namespace resource itself
      info.resource = 'namespaces';
      if (rest.length === 2) info.name = rest[1];
      return info;
    }
  }
  info.resource = rest[0];
  if (rest.length > 1) info.name = rest[1];
  if (rest.length > 2) info.subresource = rest[2];
  if (rest.length > 3) info.rest = rest.slice(3);
  // /api/v1/namespaces/{name}/status|finalize address the namespace itself.
  if (group === '' && info.namespace && !info.name && (info.resource === 'status' || info.resource === 'finalize')) {
    return { ...info, resource: 'namespaces', name: info.namespace, subresource: info.resource, namespace: undefined };
  }
  return info;
}
