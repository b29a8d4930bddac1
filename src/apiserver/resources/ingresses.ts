// Ingresses (upstream pkg/registry/networking/ingress): generation tracks spec changes; the
// status (status.loadBalancer, which the ingress controller writes) starts as the zero status
// and changes only through ingresses/status; the DefaultIngressClass admission fills in the
// class of a new Ingress that names none.
import type { Ingress } from '../../api/types.js';
import { defaultIngress } from '../../api/defaults/networking.js';
import { ingressPrinter } from '../../api/printers/ingress-printer.js';
import { validateIngress, validateIngressStatusUpdate, validateIngressUpdate } from '../../api/validation/networking-validation.js';
import { admitDefaultIngressClass } from '../default-ingress-class-admission.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const ingresses: ResourceModule = {
  printer: ingressPrinter,
  defaults: (obj) => defaultIngress(obj as Ingress),
  admitCreate: (obj, _namespace, deps) => admitDefaultIngressClass(obj as Ingress, deps),
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      // IngressStatus{} as Go writes it: loadBalancer is a struct, never omitted.
      prepareForCreate(obj) {
        obj.status = { loadBalancer: {} };
      },
      validate: (obj) => validateIngress(obj as Ingress),
      validateUpdate: (obj, old) => validateIngressUpdate(obj as Ingress, old as Ingress),
      validateStatusUpdate: (obj, old) => validateIngressStatusUpdate(obj as Ingress, old as Ingress),
    }),
};
