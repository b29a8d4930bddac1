// Legacy (unaggregated) discovery documents: /api, /apis, /apis/<group>, /api/v1 and
// /apis/<group>/<version>. Served as application/json, which every kubectl 1.27–1.33
// accepts even when it asks for aggregated discovery first. Derived from the resource
// table, so a resource appears here exactly when it is routed and stored.
import { createHash } from 'node:crypto';
import { groupVersion, groupVersions, resources, storageVersionOf, type ResourceInfo } from '../api/resources.js';

export interface ServerAddressByClientCIDR {
  clientCIDR: string;
  serverAddress: string;
}

export interface APIVersions {
  kind: 'APIVersions';
  versions: string[];
  serverAddressByClientCIDRs: ServerAddressByClientCIDR[];
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion?: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

/**
 * /api. kubectl ignores serverAddressByClientCIDRs; upstream publishes the advertised
 * address for 0.0.0.0/0, so pass it when known.
 */
export function apiVersions(serverAddress?: string): APIVersions {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: serverAddress ? [{ clientCIDR: '0.0.0.0/0', serverAddress }] : [],
  };
}

function namedGroups(): string[] {
  const names: string[] = [];
  for (const gv of groupVersions()) if (gv.group !== '' && !names.includes(gv.group)) names.push(gv.group);
  return names;
}

function groupEntry(group: string): APIGroup {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: groupVersion(gv), version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** /apis: every named group (core is only under /api). */
export function apiGroupList(): APIGroupList {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: namedGroups().map(groupEntry) };
}

/** /apis/<group>, or undefined (404) for a group kanzen does not serve. */
export function apiGroup(group: string): APIGroup | undefined {
  if (!namedGroups().includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) };
}

/**
 * pkg/apiserver/storageversionhash: base64 of the first 8 bytes of
 * sha256("<group>/<version>/<kind>") for the storage version.
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

function resourceEntries(r: ResourceInfo): APIResource[] {
  const main: APIResource = {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
  };
  if (r.shortNames?.length) main.shortNames = r.shortNames;
  if (r.categories?.length) main.categories = r.categories;
  // Every served version names the one the objects are stored in.
  main.storageVersionHash = storageVersionHash(r.group, storageVersionOf(r), r.kind);
  const subs = r.subresources.map((s): APIResource => {
    const name = `${r.resource}/${s.name}`;
    // A subresource in another group/version (scale → autoscaling/v1 Scale) says so;
    // kubectl scale finds the Scale kind only through these two fields.
    if (s.group !== undefined) {
      return { name, singularName: '', namespaced: r.namespaced, group: s.group, version: s.version, kind: s.kind, verbs: s.verbs };
    }
    return { name, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
  });
  return [main, ...subs];
}

/** /api/v1 and /apis/<group>/<version>; undefined (404) when that group/version is not served. */
export function apiResourceList(group: string, version: string): APIResourceList | undefined {
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  // Upstream lists resources by name, each followed by its subresources.
  const entries = served.flatMap(resourceEntries).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const gv = groupVersion({ group, version });
  // The legacy core list (/api/v1) carries no apiVersion upstream; named groups do.
  if (group === '') return { kind: 'APIResourceList', groupVersion: gv, resources: entries };
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: entries };
}
