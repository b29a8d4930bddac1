// Services (upstream pkg/registry/core/service): allocation of ClusterIPs and NodePorts
// happens in beginCreate/beginUpdate and is committed or reverted with the write;
// deleting a Service releases them. A type change drops the fields the new type cannot
// have unless the user set them anew (upstream dropTypeDependentFields).
import type { KubeObject, Service } from '../../api/types.js';
import { defaultService, prepareServiceForUpdate } from '../../api/defaults/service.js';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from '../../api/validation/service-validation.js';
import { defaultStrategy } from './default-strategy.js';
import { anyMethod, type ResourceModule } from './resource-module.js';
import { serviceProxy, serveProxy } from '../proxy-subresource.js';
import { servicePrinter } from '../../api/printers/service-printer.js';

export const services: ResourceModule = {
  printer: servicePrinter,
  defaults: (obj) => defaultService(obj as Service),
  strategy: (info, { serviceAllocation: allocation }) =>
    defaultStrategy(info, {
    prepareForCreate(obj: KubeObject) {
      (obj as Service).status = { loadBalancer: {} };
    },
    prepareForUpdate(obj: KubeObject, old: KubeObject) {
      // upstream dropTypeDependentFields: one implementation, beside the Service defaults.
      prepareServiceForUpdate(obj as Service, old as Service);
    },
    beginCreate: (obj, dryRun) => allocation.beginCreate(obj as Service, { dryRun }),
    beginUpdate: (obj, old, dryRun) => allocation.beginUpdate(obj as Service, old as Service, { dryRun }),
    afterDelete: (obj) => allocation.releaseAll(obj as Service),
    validate: (obj) => validateService(obj as Service),
    validateUpdate: (obj, old) => validateServiceUpdate(obj as Service, old as Service),
    validateStatusUpdate: (obj, old) => validateServiceStatusUpdate(obj as Service, old as Service),
    fieldSelectors: {
      labels: ['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'],
      fields(obj) {
        const spec = (obj as Service).spec ?? {};
        return { 'spec.clusterIP': spec.clusterIP ?? '', 'spec.type': spec.type ?? '' };
      },
    },
  }),
  handlers: (deps) => ({ proxy: anyMethod(({ ri, req, res, url }) => serveProxy(serviceProxy, deps.proxy(), ri, req, res, url)) }),
};
