// printServiceAccount from pkg/printers/internalversion/printers.go.

import type { KubeObject } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export interface ServiceAccount extends KubeObject {
  secrets?: { name?: string; namespace?: string }[];
  imagePullSecrets?: { name?: string }[];
  automountServiceAccountToken?: boolean;
}

export const serviceAccountColumns = [nameColumn, column('Secrets', 'string', swaggerDoc['ServiceAccount.secrets']), ageColumn];

export function serviceAccountRow(sa: ServiceAccount, now: Date): TableRow {
  return {
    cells: [sa.metadata.name ?? '', (sa.secrets ?? []).length, translateTimestampSince(sa.metadata.creationTimestamp, now)],
    object: sa,
  };
}

export const serviceAccountPrinter: Printer<ServiceAccount> = { columns: serviceAccountColumns, row: serviceAccountRow };
