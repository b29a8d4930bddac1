// The APIService table of kube-aggregator's registry (pkg/registry/apiservice/etcd ConvertToTable):
// SERVICE is Local for a group/version the API server serves itself; AVAILABLE is the Available
// condition's status, with its reason when not True.
import type { APIService } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const apiServiceColumns = [
  nameColumn,
  column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
  column('Available', 'string', 'Whether this service is available.'),
  ageColumn,
];

function availableCell(svc: APIService): string {
  const available = svc.status?.conditions?.find((c) => c.type === 'Available');
  if (!available) return 'Unknown';
  if (available.status === 'True' || !available.reason) return available.status;
  return `${available.status} (${available.reason})`;
}

export function apiServiceRow(svc: APIService, now: Date): TableRow {
  const ref = svc.spec?.service;
  return {
    cells: [svc.metadata.name ?? '', ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : 'Local', availableCell(svc), translateTimestampSince(svc.metadata.creationTimestamp, now)],
    object: svc,
  };
}

export const apiServicePrinter: Printer<APIService> = { columns: apiServiceColumns, row: apiServiceRow };
