// Nodes (upstream pkg/registry/core/node): the kubelet registers its node with its status
// already filled in, so create keeps it; PUT may create (the kubelet's registration).
import type { Node } from '../../api/types.js';
import { defaultNode } from '../../api/defaults/node.js';
import { validateNode, validateNodeUpdate } from '../../api/validation/core-validation.js';
import { defaultStrategy, metaUpdateThen } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { nodePrinter } from '../../api/printers/node-printer.js';

export const nodes: ResourceModule = {
  printer: nodePrinter,
  defaults: (obj) => defaultNode(obj as Node),
  strategy: (info) =>
    defaultStrategy(info, {
      allowCreateOnUpdate: true,
      prepareForCreate() {},
      validate: (obj) => validateNode(obj as Node),
      validateUpdate: metaUpdateThen(validateNodeUpdate),
      fieldSelectors: {
        labels: ['metadata.name', 'spec.unschedulable'],
        fields: (obj) => ({ 'spec.unschedulable': String((obj as Node).spec?.unschedulable === true) }),
      },
    }),
};
