// printReplicationController from pkg/printers/internalversion/printers.go: its SELECTOR is
// the plain label map (labels.FormatLabels), not a LabelSelector.

import type { ReplicationController } from '../types.js';
import { formatLabels } from '../labels.js';
import { containersColumnDescription, imagesColumnDescription, layoutContainerCells } from './container-cells.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const replicationControllerColumns = [
  nameColumn,
  column('Desired', 'integer', swaggerDoc['ReplicationControllerSpec.replicas']),
  column('Current', 'integer', swaggerDoc['ReplicationControllerStatus.replicas']),
  column('Ready', 'integer', swaggerDoc['ReplicationControllerStatus.readyReplicas']),
  ageColumn,
  wideColumn('Containers', 'string', containersColumnDescription),
  wideColumn('Images', 'string', imagesColumnDescription),
  wideColumn('Selector', 'string', swaggerDoc['ReplicationControllerSpec.selector']),
];

export function replicationControllerRow(rc: ReplicationController, now: Date): TableRow {
  const { names, images } = layoutContainerCells(rc.spec.template?.spec?.containers);
  return {
    cells: [
      rc.metadata.name ?? '',
      rc.spec.replicas ?? 1,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      translateTimestampSince(rc.metadata.creationTimestamp, now),
      names,
      images,
      formatLabels(rc.spec.selector),
    ],
    object: rc,
  };
}

export const replicationControllerPrinter: Printer<ReplicationController> = { columns: replicationControllerColumns, row: replicationControllerRow };
