// Endpoints (upstream pkg/registry/core/endpoint): written by the endpoints controller,
// which may PUT one into existence.
import type { Endpoints } from '../../api/types.js';
import { defaultEndpoints } from '../../api/defaults/endpoints.js';
import { validateEndpoints } from '../../api/validation/core-validation.js';
import { createRulesOnUpdate, defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { endpointsPrinter } from '../../api/printers/endpoints-printer.js';

export const endpoints: ResourceModule = {
  printer: endpointsPrinter,
  defaults: (obj) => defaultEndpoints(obj as Endpoints),
  strategy: (info) =>
    defaultStrategy(info, {
      allowCreateOnUpdate: true,
      validate: (obj) => validateEndpoints(obj as Endpoints),
      validateUpdate: createRulesOnUpdate((obj) => validateEndpoints(obj as Endpoints)),
    }),
};
