// printReplicaSet from pkg/printers/internalversion/printers.go.

import type { ReplicaSet } from '../types.js';
import { formatLabelSelector } from '../labels.js';
import { containersColumnDescription, imagesColumnDescription, layoutContainerCells } from './container-cells.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const replicaSetColumns = [
  nameColumn,
  column('Desired', 'integer', swaggerDoc['ReplicaSetSpec.replicas']),
  column('Current', 'integer', swaggerDoc['ReplicaSetStatus.replicas']),
  column('Ready', 'integer', swaggerDoc['ReplicaSetStatus.readyReplicas']),
  ageColumn,
  wideColumn('Containers', 'string', containersColumnDescription),
  wideColumn('Images', 'string', imagesColumnDescription),
  wideColumn('Selector', 'string', swaggerDoc['ReplicaSetSpec.selector']),
];

export function replicaSetRow(rs: ReplicaSet, now: Date): TableRow {
  // apps/v1 defaulting sets spec.replicas to 1.
  const desired = rs.spec.replicas ?? 1;
  const { names, images } = layoutContainerCells(rs.spec.template?.spec?.containers);
  return {
    cells: [
      rs.metadata.name ?? '',
      desired,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      translateTimestampSince(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec.selector),
    ],
    object: rs,
  };
}

export const replicaSetPrinter: Printer<ReplicaSet> = { columns: replicaSetColumns, row: replicaSetRow };
