// Namespace defaults: SetDefaults_Namespace (the kubernetes.io/metadata.name label),
// SetDefaults_NamespaceStatus, and the strategy's spec.finalizers on create.
import type { Namespace } from '../types.js';

export function defaultNamespace(ns: Namespace): void {
  const name = ns.metadata.name;
  if (name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  ns.spec ??= {};
  if (!ns.spec.finalizers || ns.spec.finalizers.length === 0) ns.spec.finalizers = ['kubernetes'];
  ns.status ??= {};
  ns.status.phase ||= 'Active';
}
