// ConfigMaps (upstream pkg/registry/core/configmap): keys and size; immutable ones stay so.
import type { ConfigMap } from '../../api/types.js';
import { validateConfigMap, validateConfigMapUpdate } from '../../api/validation/core-validation.js';
import { defaultStrategy, metaUpdateThen } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { configMapPrinter } from '../../api/printers/configmap-printer.js';

export const configmaps: ResourceModule = {
  printer: configMapPrinter,
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateConfigMap(obj as ConfigMap),
      validateUpdate: metaUpdateThen(validateConfigMapUpdate),
    }),
};
