// printLease from pkg/printers/internalversion/printers.go.

import type { Lease } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const leaseColumns = [nameColumn, column('Holder', 'string', swaggerDoc['LeaseSpec.holderIdentity']), ageColumn];

export function leaseRow(lease: Lease, now: Date): TableRow {
  return {
    cells: [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', translateTimestampSince(lease.metadata.creationTimestamp, now)],
    object: lease,
  };
}

export const leasePrinter: Printer<Lease> = { columns: leaseColumns, row: leaseRow };
