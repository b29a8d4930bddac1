// The shapes of a meta.k8s.io/v1 Table as the printers build it. The API server wraps a
// TableResult into the Table object (kind, apiVersion, metadata.resourceVersion) and
// decides what each row's object becomes (PartialObjectMetadata by default).

import type { KubeObject } from '../types.js';
import { swaggerDoc } from './swagger-docs.js';

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** metav1.TableRowCondition; the only type upstream defines is "Completed". */
export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object: KubeObject;
}

export interface TableResult {
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** A printer: its column list and a function that turns one object into one row. */
export interface Printer<T extends KubeObject = KubeObject> {
  columns: TableColumnDefinition[];
  row(obj: T, now: Date): TableRow;
}

interface ColumnOptions {
  format?: string;
  priority?: number;
}

export function column(
  name: string,
  type: TableColumnDefinition['type'],
  description: string,
  options: ColumnOptions = {},
): TableColumnDefinition {
  return { name, type, format: options.format ?? '', description, priority: options.priority ?? 0 };
}

/** Every printer's first column; format "name" lets kubectl print `kind/name` in `get all`. */
export const nameColumn: TableColumnDefinition = column('Name', 'string', swaggerDoc['ObjectMeta.name'], { format: 'name' });

export const ageColumn: TableColumnDefinition = column('Age', 'string', swaggerDoc['ObjectMeta.creationTimestamp']);

export function wideColumn(name: string, type: TableColumnDefinition['type'], description: string): TableColumnDefinition {
  return column(name, type, description, { priority: 1 });
}
