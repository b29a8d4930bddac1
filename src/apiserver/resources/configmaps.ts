// ConfigMaps (upstream pkg/registry/core/configmap): keys and size; immutable ones stay so.
import type { ConfigMap } from '../../api/types.js';
import { validateConfigMap, validateConfigMapUpdate } from '../../api/validation/core-validation.js';
import { defaultStrategy, metaUpdateThen } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const configmaps: ResourceModule = {
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateConfigMap(obj as ConfigMap),
      validateUpdate: metaUpdateThen(validateConfigMapUpdate),
    }),
};
