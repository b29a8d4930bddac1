// IngressClasses (upstream pkg/registry/networking/ingressclass): cluster-scoped, generation
// tracks spec changes, the controller is fixed once created.
import type { IngressClass } from '../../api/types.js';
import { defaultIngressClass } from '../../api/defaults/networking.js';
import { ingressClassPrinter } from '../../api/printers/ingressclass-printer.js';
import { validateIngressClass, validateIngressClassUpdate } from '../../api/validation/networking-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const ingressclasses: ResourceModule = {
  printer: ingressClassPrinter,
  defaults: (obj) => defaultIngressClass(obj as IngressClass),
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      validate: (obj) => validateIngressClass(obj as IngressClass),
      validateUpdate: (obj, old) => validateIngressClassUpdate(obj as IngressClass, old as IngressClass),
    }),
};
