// Impersonation (upstream apiserver/pkg/endpoints/filters/impersonation.go): Impersonate-User,
// -Group, -Uid and -Extra-<key> headers make the request act as another user, once the
// requester may `impersonate` each of them (users, groups, serviceaccounts,
// authentication.k8s.io uids and userextras/<key>).
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../../api/errors.js';
import type { UserInfo } from '../user-info.js';
import type { Attributes, ResourceAttributes } from './attributes.js';

const saPrefix = 'system:serviceaccount:';

/** The headers' requests, as Kubernetes names them; undefined when the request impersonates nobody. */
interface Requested {
  user?: string;
  groups: string[];
  uid?: string;
  extra: Record<string, string[]>;
}

function headerValues(h: string | string[] | undefined): string[] {
  if (h === undefined) return [];
  return (Array.isArray(h) ? h : [h]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function requested(headers: IncomingHttpHeaders): Requested | undefined {
  const extra: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    // Extra keys are percent-encoded in the header name (HTTP header names are case-insensitive, so lower-cased).
    if (k.startsWith('impersonate-extra-')) extra[decodeURIComponent(k.slice('impersonate-extra-'.length))] = headerValues(v);
  }
  const user = headers['impersonate-user'];
  const groups = headerValues(headers['impersonate-group']);
  const uid = headers['impersonate-uid'];
  const r: Requested = { user: typeof user === 'string' ? user : undefined, groups, uid: typeof uid === 'string' ? uid : undefined, extra };
  if (r.user === undefined && !groups.length && r.uid === undefined && !Object.keys(extra).length) return undefined;
  return r;
}

function impersonateAttributes(requester: UserInfo, resource: string, name: string, opts: Partial<ResourceAttributes> = {}): ResourceAttributes {
  return { isResourceRequest: true, user: requester, verb: 'impersonate', apiGroup: '', apiVersion: '', resource, subresource: '', namespace: '', name, ...opts };
}

/** Each thing the requester must be allowed to impersonate, in upstream's order. */
function checks(requester: UserInfo, r: Requested & { user: string }): ResourceAttributes[] {
  const out: ResourceAttributes[] = [];
  if (r.user.startsWith(saPrefix) && r.user.split(':').length === 4) {
    const [, , namespace, name] = r.user.split(':');
    out.push(impersonateAttributes(requester, 'serviceaccounts', name, { namespace }));
  } else {
    out.push(impersonateAttributes(requester, 'users', r.user));
  }
  for (const g of r.groups) out.push(impersonateAttributes(requester, 'groups', g));
  for (const [key, values] of Object.entries(r.extra)) {
    for (const v of values) out.push(impersonateAttributes(requester, 'userextras', v, { apiGroup: 'authentication.k8s.io', subresource: key }));
  }
  if (r.uid !== undefined) out.push(impersonateAttributes(requester, 'uids', r.uid, { apiGroup: 'authentication.k8s.io' }));
  return out;
}

/** The user the impersonated request acts as: a service account's groups, then system:authenticated. */
function impersonatedUser(r: Requested & { user: string }): UserInfo {
  const groups = [...r.groups];
  if (r.user.startsWith(saPrefix) && r.user.split(':').length === 4) {
    const ns = r.user.split(':')[2];
    groups.unshift('system:serviceaccounts', `system:serviceaccounts:${ns}`);
  }
  if (r.user === 'system:anonymous') {
    if (!groups.includes('system:unauthenticated')) groups.push('system:unauthenticated');
  } else if (!groups.includes('system:authenticated')) {
    groups.push('system:authenticated');
  }
  return { username: r.user, groups, ...(r.uid !== undefined ? { uid: r.uid } : {}), ...(Object.keys(r.extra).length ? { extra: r.extra } : {}) };
}

/**
 * The user a request acts as: the requester, or whom its headers impersonate once each is
 * allowed. `allow` answers the impersonate checks (throwing the 403 when denied).
 */
export async function impersonate(requester: UserInfo, headers: IncomingHttpHeaders, allow: (a: Attributes) => Promise<void>): Promise<UserInfo> {
  const r = requested(headers);
  if (!r) return requester;
  if (r.user === undefined) {
    throw ApiError.badRequest(`requested ${describeRequested(r)} without impersonating a user`);
  }
  const withUser = r as Requested & { user: string };
  for (const a of checks(requester, withUser)) await allow(a);
  return impersonatedUser(withUser);
}

/** What was asked for without a user, roughly as upstream prints its list of object references. */
function describeRequested(r: Requested): string {
  const refs = [...r.groups.map((g) => `{Group  ${g}    }`), ...(r.uid !== undefined ? [`{UID  ${r.uid}    }`] : [])];
  return `[${refs.join(' ')}]`;
}
