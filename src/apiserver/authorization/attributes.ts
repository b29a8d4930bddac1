// What an authorizer decides on (upstream: authorizer.Attributes, built by the apiserver's
// WithAuthorization filter from the request info): who, which verb, and on what.
import type { RequestInfo } from '../request-info.js';
import type { UserInfo } from '../user-info.js';

export interface ResourceAttributes {
  isResourceRequest: true;
  user: UserInfo;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface NonResourceAttributes {
  isResourceRequest: false;
  user: UserInfo;
  verb: string;
  path: string;
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

const methodVerbs: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/**
 * requestinfo.go's verb: the method's, then list for a nameless GET, watch for a list with
 * ?watch, deletecollection for a nameless DELETE. A list or watch narrowed by
 * fieldSelector=metadata.name=x names its object, so a rule with resourceNames can allow it.
 */
export function requestAttributes(user: UserInfo, method: string, ri: RequestInfo, query: URLSearchParams): Attributes {
  if (!ri.isResourceRequest) return { isResourceRequest: false, user, verb: method.toLowerCase(), path: ri.path };
  let verb = methodVerbs[method] ?? method.toLowerCase();
  let name = ri.name ?? '';
  if (verb === 'get' && !name) {
    verb = isTrue(query.get('watch')) ? 'watch' : 'list';
    const named = /(?:^|,)metadata\.name==?([^,]+)/.exec(query.get('fieldSelector') ?? '');
    if (named) name = named[1];
  }
  if (verb === 'delete' && !name) verb = 'deletecollection';
  // A namespace is its own namespace (requestinfo.go sets Namespace for /namespaces/{name}).
  const namespace = ri.namespace ?? (ri.resource === 'namespaces' && ri.group === '' ? (ri.name ?? '') : '');
  return { isResourceRequest: true, user, verb, apiGroup: ri.group, apiVersion: ri.version, resource: ri.resource, subresource: ri.subresource ?? '', namespace, name };
}

/** strconv.ParseBool's true values, as the watch parameter is read. */
function isTrue(v: string | null): boolean {
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}
