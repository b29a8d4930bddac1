// EndpointSlices (upstream pkg/registry/discovery/endpointslice): addressType is immutable.
import type { EndpointSlice } from '../../api/types.js';
import { defaultEndpointSlice } from '../../api/defaults/endpoints.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from '../../api/validation/core-validation.js';
import { defaultStrategy, metaUpdateThen } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { endpointSlicePrinter } from '../../api/printers/endpointslice-printer.js';

export const endpointslices: ResourceModule = {
  printer: endpointSlicePrinter,
  defaults: (obj) => defaultEndpointSlice(obj as EndpointSlice),
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateEndpointSlice(obj as EndpointSlice),
      validateUpdate: metaUpdateThen(validateEndpointSliceUpdate),
    }),
};
