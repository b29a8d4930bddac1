// Namespaces (upstream pkg/registry/core/namespace): Active on create with the
// "kubernetes" finalizer; deletion turns them Terminating until the namespace controller
// has emptied them and removed the finalizer.
import type { KubeObject, Namespace } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Strategy } from '../strategy.js';
import { defaultStrategy } from './default-strategy.js';

export function namespaceStrategy(info: ResourceInfo): Strategy {
  return defaultStrategy(info, {
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
  });
}
