// CronJobs (upstream pkg/registry/batch/cronjob/strategy.go): generation tracks spec
// changes, status is the controller's.
import type { CronJob } from '../../api/types.js';
import { defaultCronJob } from '../../api/defaults/job.js';
import { validateCronJob, validateCronJobUpdate } from '../../api/validation/batch-validation.js';
import { validateObjectMetaUpdate } from '../../api/validation/object-meta.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { cronJobPrinter } from '../../api/printers/cronjob-printer.js';

export const cronjobs: ResourceModule = {
  printer: cronJobPrinter,
  defaults(obj) {
    if ((obj as CronJob).spec) defaultCronJob(obj as CronJob);
  },
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      validate: (obj) => validateCronJob(obj as CronJob),
      validateUpdate: (obj, old) => validateCronJobUpdate(obj as CronJob, old as CronJob),
      validateStatusUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
    }),
};
