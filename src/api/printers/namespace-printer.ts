// printNamespace from pkg/printers/internalversion/printers.go.

import type { Namespace } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const namespaceColumns = [nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn];

export function namespaceRow(ns: Namespace, now: Date): TableRow {
  return {
    cells: [ns.metadata.name ?? '', ns.status?.phase ?? '', translateTimestampSince(ns.metadata.creationTimestamp, now)],
    object: ns,
  };
}

export const namespacePrinter: Printer<Namespace> = { columns: namespaceColumns, row: namespaceRow };
