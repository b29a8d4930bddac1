// Namespace defaults: SetDefaults_Namespace (the kubernetes.io/metadata.name label),
// SetDefaults_NamespaceStatus. spec.finalizers is the create strategy's, not a default: an
// emptied list (finalize) must stay empty.
import type { Namespace } from '../types.js';

export function defaultNamespace(ns: Namespace): void {
  const name = ns.metadata.name;
  if (name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  ns.status ??= {};
  ns.status.phase ||= 'Active';
}
