// Deployments (upstream pkg/registry/apps/deployment): metadata.generation tracks spec
// changes for the controller's observedGeneration. apps/v1 registers no field-label
// conversion, so only metadata.name and metadata.namespace select.
import type { Deployment } from '../../api/types.js';
import { defaultDeployment } from '../../api/defaults/deployment.js';
import { validateDeployment, validateDeploymentUpdate, validateWorkloadStatusUpdate } from '../../api/validation/apps-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { deploymentPrinter } from '../../api/printers/deployment-printer.js';
import { labelSelectorScale } from './scale-strategy.js';

export const deployments: ResourceModule = {
  printer: deploymentPrinter,
  scale: labelSelectorScale,
  defaults(obj) {
    if ((obj as Deployment).spec) defaultDeployment(obj as Deployment);
  },
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      validate: (obj) => validateDeployment(obj as Deployment),
      validateUpdate: (obj, old) => validateDeploymentUpdate(obj as Deployment, old as Deployment),
      validateStatusUpdate: (obj, old) => validateWorkloadStatusUpdate(obj as Deployment, old as Deployment),
    }),
};
