// printConfigMap from pkg/printers/internalversion/printers.go.

import type { ConfigMap } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const configMapColumns = [nameColumn, column('Data', 'string', swaggerDoc['ConfigMap.data']), ageColumn];

export function configMapRow(cm: ConfigMap, now: Date): TableRow {
  // DATA counts binaryData keys too.
  const data = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
  return {
    cells: [cm.metadata.name ?? '', data, translateTimestampSince(cm.metadata.creationTimestamp, now)],
    object: cm,
  };
}

export const configMapPrinter: Printer<ConfigMap> = { columns: configMapColumns, row: configMapRow };
