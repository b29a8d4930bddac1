// ResourceQuotas (upstream pkg/registry/core/resourcequota): users write spec.hard; status
// (hard in force, used) is the quota controller's and the ResourceQuota admission's, through
// the status subresource.
import type { ResourceQuota } from '../../api/types.js';
import { validateResourceQuota, validateResourceQuotaStatus } from '../../api/validation/resourcequota-validation.js';
import { resourceQuotaPrinter } from '../../api/printers/resourcequota-printer.js';
import { createRulesOnUpdate, defaultStrategy, metaUpdateThen } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const resourcequotas: ResourceModule = {
  printer: resourceQuotaPrinter,
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateResourceQuota(obj as ResourceQuota),
      validateUpdate: createRulesOnUpdate((obj) => validateResourceQuota(obj as ResourceQuota)),
      validateStatusUpdate: metaUpdateThen((obj: ResourceQuota) => validateResourceQuotaStatus(obj)),
    }),
};
