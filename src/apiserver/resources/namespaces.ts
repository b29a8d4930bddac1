// Namespaces (upstream pkg/registry/core/namespace): Active on create with the
// "kubernetes" finalizer; deletion turns them Terminating until the namespace controller
// has emptied them and removed the finalizer.
import type { KubeObject, Namespace } from '../../api/types.js';
import { defaultNamespace } from '../../api/defaults/namespace.js';
import { validateNamespace } from '../../api/validation/core-validation.js';
import { createRulesOnUpdate, defaultStrategy } from './default-strategy.js';
import { onlyMethod, type ResourceModule } from './resource-module.js';
import { finalizeNamespace } from '../namespace-finalize.js';
import { namespacePrinter } from '../../api/printers/namespace-printer.js';

export const namespaces: ResourceModule = {
  printer: namespacePrinter,
  defaults: (obj) => defaultNamespace(obj as Namespace),
  strategy: (info) =>
    defaultStrategy(info, {
    prepareForCreate(obj: KubeObject) {
      const ns = obj as Namespace;
      ns.spec = { finalizers: ['kubernetes'], ...(ns.spec ?? {}) };
      ns.status = { phase: 'Active' };
    },
    prepareForUpdate(obj: KubeObject, old: KubeObject, subresource?: string) {
      // spec.finalizers change only through the finalize subresource.
      if (subresource !== 'finalize') (obj as Namespace).spec = structuredClone((old as Namespace).spec);
    },
    prepareForDelete(obj: KubeObject) {
      const ns = obj as Namespace;
      ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
    },
    readyToRemove(obj: KubeObject) {
      return !((obj as Namespace).spec?.finalizers?.length);
    },
    validate: (obj) => validateNamespace(obj as Namespace),
    validateUpdate: createRulesOnUpdate((obj) => validateNamespace(obj as Namespace)),
    fieldSelectors: {
      labels: ['status.phase', 'metadata.name'],
      fields: (obj) => ({ 'status.phase': (obj as Namespace).status?.phase ?? '' }),
    },
  }),
  handlers: () => ({ finalize: onlyMethod('PUT', ({ registry, ri, req, res, url }) => finalizeNamespace(registry, ri, req, res, url)) }),
};
