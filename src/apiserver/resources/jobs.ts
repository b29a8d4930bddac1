// Jobs (upstream pkg/registry/batch/job/strategy.go): unless spec.manualSelector is set, the
// API server generates the selector `batch.kubernetes.io/controller-uid=<uid>` and labels the
// pod template with the Job's name and uid (the prefixed labels and the legacy `job-name` /
// `controller-uid` ones); the Job's own labels default to the template's. Generation tracks
// spec changes; the status subresource is the controller's. A DELETE naming no propagation
// policy orphans the pods (batch/v1's DefaultGarbageCollectionPolicy).
import type { Job } from '../../api/types.js';
import { defaultJob } from '../../api/defaults/job.js';
import {
  controllerUidLabel,
  jobNameLabel,
  legacyControllerUidLabel,
  legacyJobNameLabel,
  validateJob,
  validateJobStatusUpdate,
  validateJobUpdate,
} from '../../api/validation/batch-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { jobPrinter } from '../../api/printers/job-printer.js';

/** generateSelector: labels on the template (kept when the user set them), the uid in the selector. */
export function generateJobSelector(job: Job): void {
  const template = job.spec.template;
  template.metadata ??= {};
  const labels = (template.metadata.labels ??= {});
  for (const key of [legacyJobNameLabel, jobNameLabel]) labels[key] ??= job.metadata.name ?? '';
  for (const key of [legacyControllerUidLabel, controllerUidLabel]) labels[key] ??= job.metadata.uid ?? '';
  job.spec.selector ??= {};
  const matchLabels = (job.spec.selector.matchLabels ??= {});
  matchLabels[controllerUidLabel] ??= job.metadata.uid ?? '';
}

export const jobs: ResourceModule = {
  printer: jobPrinter,
  defaults(obj) {
    if ((obj as Job).spec) defaultJob(obj as Job);
  },
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      defaultGarbageCollectionPolicy: 'Orphan',
      prepareForCreate(obj) {
        const job = obj as Job;
        if (job.spec?.template && job.spec.manualSelector !== true) {
          generateJobSelector(job);
          // The Job's labels default to its template's; the API server's decode-time defaulting
          // shows the generated ones there too.
          if (!Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...job.spec.template.metadata!.labels };
        }
        obj.status = {};
      },
      validate: (obj) => validateJob(obj as Job),
      validateUpdate: (obj, old) => validateJobUpdate(obj as Job, old as Job),
      validateStatusUpdate: (obj, old) => validateJobStatusUpdate(obj as Job, old as Job),
      // batch/v1's field-label conversion accepts status.successful (the succeeded count).
      fieldSelectors: {
        labels: ['metadata.name', 'metadata.namespace', 'status.successful'],
        fields: (obj) => ({ 'status.successful': String((obj as Job).status?.succeeded ?? 0) }),
      },
    }),
};
