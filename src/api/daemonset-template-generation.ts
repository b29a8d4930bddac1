// A DaemonSet's template generation: internal spec.templateGeneration, served in apps/v1 as
// the annotation deprecated.daemonset.template.generation (apps.DeprecatedTemplateGeneration).
// The registry keeps it; the DaemonSet controller labels pods with it (pod-template-generation),
// which is how pods made before revision hashes are recognised as up to date.
import type { KubeObject } from './types.js';

export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

/** util.GetTemplateGeneration: the annotation's value; undefined when absent or not a number. */
export function templateGenerationOf(obj: KubeObject): number | undefined {
  const v = obj.metadata.annotations?.[templateGenerationAnnotation];
  return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : undefined;
}
