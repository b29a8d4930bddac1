// Leases (upstream pkg/registry/coordination/lease): leader election and node heartbeats;
// PUT may create one.
import type { Lease } from '../../api/types.js';
import { validateLease } from '../../api/validation/core-validation.js';
import { createRulesOnUpdate, defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { leasePrinter } from '../../api/printers/lease-printer.js';

export const leases: ResourceModule = {
  printer: leasePrinter,
  strategy: (info) =>
    defaultStrategy(info, {
      allowCreateOnUpdate: true,
      validate: (obj) => validateLease(obj as Lease),
      validateUpdate: createRulesOnUpdate((obj) => validateLease(obj as Lease)),
    }),
};
