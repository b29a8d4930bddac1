// printStatefulSet from pkg/printers/internalversion/printers.go.

import type { StatefulSet } from '../types.js';
import { containersColumnDescription, imagesColumnDescription, layoutContainerCells } from './container-cells.js';
import { translateTimestampSince } from './human-duration.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const statefulSetColumns = [
  nameColumn,
  column('Ready', 'string', 'Number of the pod with ready state'),
  ageColumn,
  wideColumn('Containers', 'string', containersColumnDescription),
  wideColumn('Images', 'string', imagesColumnDescription),
];

export function statefulSetRow(set: StatefulSet, now: Date): TableRow {
  // apps/v1 defaulting sets spec.replicas to 1.
  const desired = set.spec.replicas ?? 1;
  const { names, images } = layoutContainerCells(set.spec.template?.spec?.containers);
  return {
    cells: [set.metadata.name ?? '', `${set.status?.readyReplicas ?? 0}/${desired}`, translateTimestampSince(set.metadata.creationTimestamp, now), names, images],
    object: set,
  };
}

export const statefulSetPrinter: Printer<StatefulSet> = { columns: statefulSetColumns, row: statefulSetRow };
