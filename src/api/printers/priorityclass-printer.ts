// printPriorityClass from pkg/printers/internalversion/printers.go.
import type { PriorityClass } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const priorityClassColumns = [
  nameColumn,
  column('Value', 'integer', swaggerDoc['PriorityClass.value']),
  column('Global-Default', 'boolean', swaggerDoc['PriorityClass.globalDefault']),
  ageColumn,
  column('PreemptionPolicy', 'string', swaggerDoc['PriorityClass.preemptionPolicy']),
];

export function priorityClassRow(pc: PriorityClass, now: Date): TableRow {
  return {
    cells: [pc.metadata.name ?? '', pc.value, pc.globalDefault ?? false, translateTimestampSince(pc.metadata.creationTimestamp, now), pc.preemptionPolicy ?? ''],
    object: pc,
  };
}

export const priorityClassPrinter: Printer<PriorityClass> = { columns: priorityClassColumns, row: priorityClassRow };
