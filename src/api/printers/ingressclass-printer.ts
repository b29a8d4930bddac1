// printIngressClass from pkg/printers/internalversion/printers.go.
import type { IngressClass } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const ingressClassColumns = [
  nameColumn,
  column('Controller', 'string', 'Controller that is responsible for handling this class'),
  column('Parameters', 'string', 'A reference to a resource with additional parameters'),
  ageColumn,
];

/** The parameters as Kind[.apiGroup]/name, or <none>. */
export function formatIngressClassParameters(ic: IngressClass): string {
  const p = ic.spec?.parameters;
  if (!p) return '<none>';
  return `${p.kind}${p.apiGroup !== undefined && p.apiGroup !== null ? `.${p.apiGroup}` : ''}/${p.name}`;
}

export function ingressClassRow(ic: IngressClass, now: Date): TableRow {
  return {
    cells: [ic.metadata.name ?? '', ic.spec?.controller ?? '', formatIngressClassParameters(ic), translateTimestampSince(ic.metadata.creationTimestamp, now)],
    object: ic,
  };
}

export const ingressClassPrinter: Printer<IngressClass> = { columns: ingressClassColumns, row: ingressClassRow };
