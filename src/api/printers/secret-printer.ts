// printSecret from pkg/printers/internalversion/printers.go.

import type { Secret } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const secretColumns = [
  nameColumn,
  column('Type', 'string', swaggerDoc['Secret.type']),
  column('Data', 'string', swaggerDoc['Secret.data']),
  ageColumn,
];

export function secretRow(secret: Secret, now: Date): TableRow {
  return {
    cells: [
      secret.metadata.name ?? '',
      secret.type ?? '',
      Object.keys(secret.data ?? {}).length,
      translateTimestampSince(secret.metadata.creationTimestamp, now),
    ],
    object: secret,
  };
}

export const secretPrinter: Printer<Secret> = { columns: secretColumns, row: secretRow };
