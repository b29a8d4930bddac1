// The ResourceInfo (discovery facts) of each served version of a CustomResourceDefinition, as
// the apiextensions-apiserver publishes them: names from status.acceptedNames, all verbs, the
// status and scale subresources the version declares. Versions come in upstream's version
// priority (GA before beta before alpha, higher numbers first), so the group's preferred
// version is the first.
import type { ResourceInfo, SubresourceInfo } from './resources.js';
import { allVerbs } from './resources.js';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from './types.js';

/** The finalizer a deleted CRD carries until its objects are gone (upstream CustomResourceCleanupFinalizer). */
export const customResourceCleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

/** Kube-aware version ordering (upstream version.CompareKubeAwareVersionStrings): negative when a sorts first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return { major: Number(m[1]), stage: m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2, minor: Number(m[3] ?? 0) };
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) return pb.stage - pa.stage || pb.major - pa.major || pb.minor - pa.minor;
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The version's subresources, per version or (legacy) as the spec's top-level ones. */
export function versionSubresources(v: CustomResourceDefinitionVersion): SubresourceInfo[] {
  const out: SubresourceInfo[] = [];
  if (v.subresources?.status) out.push({ name: 'status', verbs: ['get', 'patch', 'update'], kind: '' });
  if (v.subresources?.scale) out.push({ name: 'scale', verbs: ['get', 'patch', 'update'], kind: 'Scale', group: 'autoscaling', version: 'v1' });
  return out;
}

export function customResourceInfos(crd: CustomResourceDefinition): { info: ResourceInfo; version: CustomResourceDefinitionVersion }[] {
  const names = crd.status?.acceptedNames ?? crd.spec.names;
  const served = (crd.spec.versions ?? []).filter((v) => v.served).sort((a, b) => compareVersions(a.name, b.name));
  return served.map((version) => {
    const subresources = versionSubresources(version).map((s) => (s.name === 'status' ? { ...s, kind: names.kind } : s));
    const info: ResourceInfo = {
      group: crd.spec.group,
      version: version.name,
      resource: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      namespaced: crd.spec.scope === 'Namespaced',
      ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
      ...(names.categories?.length ? { categories: names.categories } : {}),
      verbs: allVerbs,
      subresources,
      custom: {
        ...(version.schema?.openAPIV3Schema ? { schema: version.schema.openAPIV3Schema } : {}),
        selectableFields: (version.selectableFields ?? []).map((f) => f.jsonPath),
      },
      ...(version.deprecated ? { deprecationWarning: version.deprecationWarning ?? `${crd.spec.group}/${version.name} ${names.kind} is deprecated` } : {}),
    };
    return { info, version };
  });
}
