// Which Ingresses the kanzen controller serves (as ingress-nginx decides, with kanzen's class
// the default): an Ingress naming a class in spec.ingressClassName is served when that
// IngressClass exists and names our controller; one naming a class only in the legacy
// kubernetes.io/ingress.class annotation, likewise; one naming none is served when the
// default IngressClass (pickDefaultIngressClass, the DefaultIngressClass admission's choice)
// is ours — the admission fills the class in on create, but an Ingress created before the
// class existed still has none.
import type { Ingress, IngressClass } from '../api/types.js';
import { annotationIngressClass } from '../api/validation/networking-validation.js';
import { pickDefaultIngressClass } from '../apiserver/default-ingress-class-admission.js';

/** spec.controller of the IngressClass kanzen serves. */
export const kanzenIngressController = 'kanzen.io/ingress-controller';
/** The name of the IngressClass kanzen creates at start. */
export const kanzenIngressClassName = 'kanzen';

/** Names of the IngressClasses whose spec.controller is this controller. */
export function servedClassNames(classes: readonly IngressClass[], controller = kanzenIngressController): Set<string> {
  const out = new Set<string>();
  for (const c of classes) if (c.spec?.controller === controller && c.metadata.name) out.add(c.metadata.name);
  return out;
}

/** The class an Ingress names: spec.ingressClassName, else the legacy annotation; undefined when none. */
export function ingressClassOf(ing: Ingress): string | undefined {
  const named = ing.spec?.ingressClassName;
  if (named) return named;
  return ing.metadata.annotations?.[annotationIngressClass] || undefined;
}

export function isServedIngress(ing: Ingress, classes: readonly IngressClass[], controller = kanzenIngressController): boolean {
  const served = servedClassNames(classes, controller);
  const named = ingressClassOf(ing);
  if (named !== undefined) return served.has(named);
  const def = pickDefaultIngressClass(classes);
  return def?.metadata.name !== undefined && served.has(def.metadata.name);
}
