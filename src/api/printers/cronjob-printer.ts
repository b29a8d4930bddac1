// printCronJob from pkg/printers/internalversion/printers.go.

import type { CronJob } from '../types.js';
import { formatLabelSelector } from '../labels.js';
import { containersColumnDescription, imagesColumnDescription, layoutContainerCells } from './container-cells.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const cronJobColumns = [
  nameColumn,
  column('Schedule', 'string', swaggerDoc['CronJobSpec.schedule']),
  column('Timezone', 'string', swaggerDoc['CronJobSpec.timeZone']),
  column('Suspend', 'boolean', swaggerDoc['CronJobSpec.suspend']),
  column('Active', 'integer', swaggerDoc['CronJobStatus.active']),
  column('Last Schedule', 'string', swaggerDoc['CronJobStatus.lastScheduleTime']),
  ageColumn,
  wideColumn('Containers', 'string', containersColumnDescription),
  wideColumn('Images', 'string', imagesColumnDescription),
  wideColumn('Selector', 'string', swaggerDoc['JobSpec.selector']),
];

export function cronJobRow(cj: CronJob, now: Date): TableRow {
  const template = cj.spec.jobTemplate?.spec;
  const { names, images } = layoutContainerCells(template?.template?.spec?.containers);
  const last = cj.status?.lastScheduleTime;
  return {
    cells: [
      cj.metadata.name ?? '',
      cj.spec.schedule,
      cj.spec.timeZone ?? '<none>',
      // printBoolPtr: "<unset>" for nil, else "True" / "False".
      cj.spec.suspend === undefined || cj.spec.suspend === null ? '<unset>' : cj.spec.suspend ? 'True' : 'False',
      cj.status?.active?.length ?? 0,
      last ? translateTimestampSince(last, now) : '<none>',
      translateTimestampSince(cj.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(template?.selector),
    ],
    object: cj,
  };
}

export const cronJobPrinter: Printer<CronJob> = { columns: cronJobColumns, row: cronJobRow };
