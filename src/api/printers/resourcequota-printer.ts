// printResourceQuota from pkg/printers/internalversion/printers.go: each limited resource as
// "name: used/hard", limits.* under LIMIT and the rest under REQUEST, sorted by name.
import type { ResourceQuota } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const resourceQuotaColumns = [
  nameColumn,
  ageColumn,
  column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
  column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
];

export function resourceQuotaRow(q: ResourceQuota, now: Date): TableRow {
  const hard = q.status?.hard ?? {};
  const used = q.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const pieces = name.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(`${name}: ${used[name] ?? '0'}/${hard[name]}`);
  }
  return { cells: [q.metadata.name ?? '', translateTimestampSince(q.metadata.creationTimestamp, now), request.join(', '), limit.join(', ')], object: q };
}

export const resourceQuotaPrinter: Printer<ResourceQuota> = { columns: resourceQuotaColumns, row: resourceQuotaRow };
