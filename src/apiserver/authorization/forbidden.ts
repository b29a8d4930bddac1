// The 403 a denied request gets (upstream: responsewriters.Forbidden, forbiddenMessage and
// apierrors.NewForbidden): who cannot do what, where, and the authorizer's reason if it gave one.
import { ApiError, goQuote, groupResourceString } from '../../api/errors.js';
import type { Attributes } from './attributes.js';

export function forbiddenMessage(a: Attributes): string {
  const user = goQuote(a.user.username);
  if (!a.isResourceRequest) return `User ${user} cannot ${a.verb} path ${goQuote(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const head = `User ${user} cannot ${a.verb} resource ${goQuote(resource)} in API group ${goQuote(a.apiGroup)}`;
  return a.namespace ? `${head} in the namespace ${goQuote(a.namespace)}` : `${head} at the cluster scope`;
}

export function forbidden(a: Attributes, reason: string): ApiError {
  const err = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.isResourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${err}`, {});
  const gr = { group: a.apiGroup, resource: a.resource };
  const qualified = groupResourceString(gr);
  const message = a.name ? `${qualified} ${goQuote(a.name)} is forbidden: ${err}` : `${qualified} is forbidden: ${err}`;
  return new ApiError(403, 'Forbidden', message, { name: a.name, ...(a.apiGroup ? { group: a.apiGroup } : {}), kind: a.resource });
}
