// printScale from pkg/printers/internalversion/printers.go (autoscaling/v1 Scale, served by
// the scale subresource). Its Name column, unlike the others, has no "name" format.

import type { Scale } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, type Printer, type TableRow } from './table.js';

export const scaleColumns = [
  column('Name', 'string', swaggerDoc['ObjectMeta.name']),
  column('Desired', 'integer', 'replicas is the desired number of instances for the scaled object.'),
  column('Available', 'integer', 'replicas is the actual number of observed instances of the scaled object.'),
  ageColumn,
];

export function scaleRow(scale: Scale, now: Date): TableRow {
  return {
    cells: [
      scale.metadata.name ?? '',
      scale.spec?.replicas ?? 0,
      scale.status?.replicas ?? 0,
      translateTimestampSince(scale.metadata.creationTimestamp, now),
    ],
    object: scale,
  };
}

export const scalePrinter: Printer<Scale> = { columns: scaleColumns, row: scaleRow };
