// Secrets (upstream pkg/registry/core/secret): type defaulted to Opaque and selectable.
import type { Secret } from '../../api/types.js';
import { defaultSecret } from '../../api/defaults/secret.js';
import { validateSecret, validateSecretUpdate } from '../../api/validation/core-validation.js';
import { defaultStrategy, metaUpdateThen } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { secretPrinter } from '../../api/printers/secret-printer.js';

export const secrets: ResourceModule = {
  printer: secretPrinter,
  defaults: (obj) => defaultSecret(obj as Secret),
  strategy: (info) =>
    defaultStrategy(info, {
      validate: (obj) => validateSecret(obj as Secret),
      validateUpdate: metaUpdateThen(validateSecretUpdate),
      fieldSelectors: {
        labels: ['type', 'metadata.namespace', 'metadata.name'],
        fields: (obj) => ({ type: (obj as Secret).type ?? '' }),
      },
    }),
};
