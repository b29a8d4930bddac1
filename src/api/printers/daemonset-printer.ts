// printDaemonSet from pkg/printers/internalversion/printers.go.

import type { DaemonSet } from '../types.js';
import { formatLabels, formatLabelSelector } from '../labels.js';
import { containersColumnDescription, imagesColumnDescription, layoutContainerCells } from './container-cells.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const daemonSetColumns = [
  nameColumn,
  column('Desired', 'integer', swaggerDoc['DaemonSetStatus.desiredNumberScheduled']),
  column('Current', 'integer', swaggerDoc['DaemonSetStatus.currentNumberScheduled']),
  column('Ready', 'integer', swaggerDoc['DaemonSetStatus.numberReady']),
  column('Up-to-date', 'integer', swaggerDoc['DaemonSetStatus.updatedNumberScheduled']),
  column('Available', 'integer', swaggerDoc['DaemonSetStatus.numberAvailable']),
  column('Node Selector', 'string', swaggerDoc['PodSpec.nodeSelector']),
  ageColumn,
  wideColumn('Containers', 'string', containersColumnDescription),
  wideColumn('Images', 'string', imagesColumnDescription),
  wideColumn('Selector', 'string', swaggerDoc['DaemonSetSpec.selector']),
];

export function daemonSetRow(ds: DaemonSet, now: Date): TableRow {
  const s = ds.status;
  const { names, images } = layoutContainerCells(ds.spec.template?.spec?.containers);
  return {
    cells: [
      ds.metadata.name ?? '',
      s?.desiredNumberScheduled ?? 0,
      s?.currentNumberScheduled ?? 0,
      s?.numberReady ?? 0,
      s?.updatedNumberScheduled ?? 0,
      s?.numberAvailable ?? 0,
      formatLabels(ds.spec.template?.spec?.nodeSelector),
      translateTimestampSince(ds.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec.selector),
    ],
    object: ds,
  };
}

export const daemonSetPrinter: Printer<DaemonSet> = { columns: daemonSetColumns, row: daemonSetRow };
