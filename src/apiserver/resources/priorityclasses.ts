// PriorityClasses (upstream pkg/registry/scheduling/priorityclass): cluster-scoped; the
// value and preemption policy are fixed once created; the Priority admission keeps a single
// global default.
import type { PriorityClass } from '../../api/types.js';
import { defaultPriorityClass } from '../../api/defaults/priorityclass.js';
import { validatePriorityClass, validatePriorityClassUpdate } from '../../api/validation/scheduling-validation.js';
import { priorityClassPrinter } from '../../api/printers/priorityclass-printer.js';
import { admitPriorityClassDefault } from '../priority-admission.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const priorityclasses: ResourceModule = {
  printer: priorityClassPrinter,
  defaults: (obj) => defaultPriorityClass(obj as PriorityClass),
  admitCreate: (obj, _namespace, deps) => admitPriorityClassDefault(obj as PriorityClass, 'Create', deps),
  admitUpdate: (obj, _old, deps) => admitPriorityClassDefault(obj as PriorityClass, 'Update', deps),
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validatePriorityClass(obj as PriorityClass),
      validateUpdate: (obj, old) => validatePriorityClassUpdate(obj as PriorityClass, old as PriorityClass),
    }),
};
