// LimitRanges (upstream pkg/registry/core/limitrange): stored with their Container defaults
// filled in; the LimitRanger admission (limitranger-admission.ts) applies them to pods and
// claims. kubectl get prints NAME and CREATED AT, upstream's columns.
import type { LimitRange } from '../../api/types.js';
import { defaultLimitRange } from '../../api/defaults/limitrange.js';
import { validateLimitRange } from '../../api/validation/limitrange-validation.js';
import { createRulesOnUpdate, defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const limitranges: ResourceModule = {
  defaults: (obj) => defaultLimitRange(obj as LimitRange),
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateLimitRange(obj as LimitRange),
      validateUpdate: createRulesOnUpdate((obj) => validateLimitRange(obj as LimitRange)),
    }),
};
