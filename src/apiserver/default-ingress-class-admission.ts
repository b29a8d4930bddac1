// The DefaultIngressClass admission plugin (upstream plugin/pkg/admission/network/
// defaultingressclass): a new Ingress that names no class, neither in spec.ingressClassName nor
// in the legacy kubernetes.io/ingress.class annotation, gets the default IngressClass — the one
// annotated ingressclass.kubernetes.io/is-default-class: "true"; of several, the newest (by
// creationTimestamp, then by name), as upstream has picked since 1.28. Creates only.
import type { Ingress, IngressClass } from '../api/types.js';
import { annotationIngressClass, annotationIsDefaultIngressClass } from '../api/validation/networking-validation.js';
import type { Registry } from './registry.js';

type Registries = { registry(resource: string, group?: string): Registry };

/** getDefaultClass: the newest class marked default, or undefined when none is. */
export function pickDefaultIngressClass(classes: readonly IngressClass[]): IngressClass | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.[annotationIsDefaultIngressClass] === 'true');
  const created = (c: IngressClass) => Date.parse(c.metadata.creationTimestamp ?? '') || 0;
  defaults.sort((a, b) => created(b) - created(a) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  return defaults[0];
}

export async function admitDefaultIngressClass(ing: Ingress, deps: Registries): Promise<void> {
  ing.spec ??= {};
  if (ing.spec.ingressClassName !== undefined && ing.spec.ingressClassName !== null) return;
  if (ing.metadata.annotations?.[annotationIngressClass] !== undefined) return;
  const classes = (await deps.registry('ingressclasses', 'networking.k8s.io').list(undefined)).items as IngressClass[];
  const chosen = pickDefaultIngressClass(classes);
  if (chosen?.metadata.name) ing.spec.ingressClassName = chosen.metadata.name;
}
