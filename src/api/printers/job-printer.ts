// printJob from pkg/printers/internalversion/printers.go: STATUS from the terminal and
// suspension conditions, COMPLETIONS as succeeded/completions (or "N/1 of P" for a
// work-queue Job), DURATION from startTime to completionTime (or to now while it runs).

import type { Job, JobCondition } from '../types.js';
import { formatLabelSelector } from '../labels.js';
import { containersColumnDescription, imagesColumnDescription, layoutContainerCells } from './container-cells.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const jobColumns = [
  nameColumn,
  column('Status', 'string', 'Status of the job.'),
  column('Completions', 'string', swaggerDoc['JobStatus.succeeded']),
  column('Duration', 'string', 'Time required to complete the job.'),
  ageColumn,
  wideColumn('Containers', 'string', containersColumnDescription),
  wideColumn('Images', 'string', imagesColumnDescription),
  wideColumn('Selector', 'string', swaggerDoc['JobSpec.selector']),
];

function hasCondition(conditions: JobCondition[] | undefined, type: JobCondition['type']): boolean {
  return !!conditions?.some((c) => c.type === type && c.status === 'True');
}

/** The STATUS cell, in upstream's order of precedence. */
export function jobStatusCell(job: Job): string {
  const conds = job.status?.conditions;
  if (hasCondition(conds, 'Complete')) return 'Complete';
  if (hasCondition(conds, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(conds, 'Suspended')) return 'Suspended';
  if (hasCondition(conds, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletionsCell(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec.completions !== undefined && job.spec.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDurationCell(job: Job, now: Date): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTimestamp(job.status?.completionTime) ?? now.getTime();
  return humanDuration(end - start);
}

export function jobRow(job: Job, now: Date): TableRow {
  const { names, images } = layoutContainerCells(job.spec.template?.spec?.containers);
  return {
    cells: [
      job.metadata.name ?? '',
      jobStatusCell(job),
      jobCompletionsCell(job),
      jobDurationCell(job, now),
      translateTimestampSince(job.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(job.spec.selector),
    ],
    object: job,
  };
}

export const jobPrinter: Printer<Job> = { columns: jobColumns, row: jobRow };
