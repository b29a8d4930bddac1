// k8s.io/apiserver/pkg/registry/rest/table.go defaultTableConvertor: what the API server
// prints for a resource without a printer — NAME and CREATED AT (RFC3339, UTC).

import type { KubeObject } from '../types.js';
import { parseTimestamp } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { column, nameColumn, type Printer, type TableRow } from './table.js';

export const defaultColumns = [nameColumn, column('Created At', 'date', swaggerDoc['ObjectMeta.creationTimestamp'])];

// Go's time.RFC3339 has no fractional seconds; a missing timestamp is Go's zero time.
function rfc3339(ts: string | undefined): string {
  const t = parseTimestamp(ts);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function defaultRow(obj: KubeObject): TableRow {
  return { cells: [obj.metadata.name ?? '', rfc3339(obj.metadata.creationTimestamp)], object: obj };
}

export const defaultPrinter: Printer = { columns: defaultColumns, row: defaultRow };
