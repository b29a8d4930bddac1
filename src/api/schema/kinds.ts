// Which schema definition describes a served kind. Upstream names definitions after the
// Go package: io.k8s.api.<first label of the group, "core" for "">.<version>.<Kind>.
import { resources, type ResourceInfo } from '../resources.js';
import { definitions } from './definitions.js';
import { def, list, ref, type Definition } from './fieldtype.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export const listMetaDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** Groups published outside k8s.io/api: their definitions carry their repository's Go package. */
const goPackagePrefix: Record<string, string> = {
  'apiregistration.k8s.io': 'io.k8s.kube-aggregator.pkg.apis',
  'metrics.k8s.io': 'io.k8s.metrics.pkg.apis',
};

export function definitionName(gvk: GroupVersionKind): string {
  // CustomResourceDefinition's types live in k8s.io/apiextensions-apiserver.
  if (gvk.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${gvk.version}.${gvk.kind}`;
  const pkg = gvk.group === '' ? 'core' : gvk.group.split('.')[0];
  return `${goPackagePrefix[gvk.group] ?? 'io.k8s.api'}.${pkg}.${gvk.version}.${gvk.kind}`;
}

/** A <Kind>List definition, shaped like every upstream list type. */
function listDefinition(itemDefinition: string): Definition {
  return def(
    { apiVersion: 'string', items: list(ref(itemDefinition)), kind: 'string', metadata: ref(listMetaDefinition) },
    ['items'],
  );
}

/** Subresource kinds of another group with a definition of their own: Scale, Eviction. */
const subresourceKinds: GroupVersionKind[] = [
  { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  { group: 'policy', version: 'v1', kind: 'Eviction' },
];

/**
 * The top-level kinds: each served built-in resource's kind and list kind, plus the subresource
 * kinds. Custom resources have no definition here: their CRD's schema describes them.
 */
export function servedKinds(): { gvk: GroupVersionKind; resource?: ResourceInfo }[] {
  const out: { gvk: GroupVersionKind; resource?: ResourceInfo }[] = [];
  for (const r of resources) {
    if (r.custom) continue;
    out.push({ gvk: { group: r.group, version: r.version, kind: r.kind }, resource: r });
    out.push({ gvk: { group: r.group, version: r.version, kind: r.listKind } });
  }
  for (const gvk of subresourceKinds) out.push({ gvk });
  return out;
}

let all: Record<string, Definition> | undefined;

/** Every definition, including the synthesised list kinds. */
export function allDefinitions(): Record<string, Definition> {
  if (all) return all;
  all = { ...definitions };
  for (const r of resources) {
    if (r.custom) continue;
    const item = definitionName(r);
    all[definitionName({ ...r, kind: r.listKind })] = listDefinition(item);
  }
  return all;
}

/** The definition for apiVersion + kind, or undefined when kanzen does not serve that kind. */
export function definitionFor(apiVersion: string, kind: string): { name: string; definition: Definition } | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const name = definitionName({ group, version, kind });
  const known = servedKinds().some((k) => k.gvk.group === group && k.gvk.version === version && k.gvk.kind === kind);
  const definition = known ? allDefinitions()[name] : undefined;
  return definition ? { name, definition } : undefined;
}
