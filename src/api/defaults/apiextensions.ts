// CustomResourceDefinition defaults (upstream apiextensions v1 defaults.go): singular and list
// kind from the kind, conversion None, a webhook service's port 443, and the storage version
// recorded as stored.
import type { CustomResourceDefinition } from '../types.js';

export function defaultCustomResourceDefinition(crd: CustomResourceDefinition): void {
  const spec = (crd.spec ??= {} as CustomResourceDefinition['spec']);
  const names = (spec.names ??= {} as CustomResourceDefinition['spec']['names']);
  if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  const service = spec.conversion.webhook?.clientConfig?.service;
  if (service) service.port ??= 443;
  const status = (crd.status ??= {});
  if (!status.storedVersions?.length) {
    const storage = spec.versions?.find((v) => v.storage);
    if (storage) status.storedVersions = [storage.name];
  }
}
