// printEndpoints / formatEndpoints from pkg/printers/internalversion/printers.go.

import type { Endpoints } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const endpointsColumns = [nameColumn, column('Endpoints', 'string', swaggerDoc['Endpoints.subsets']), ageColumn];

// The printer lists this many addresses, then says how many more there are.
const maxListed = 3;

/** net.JoinHostPort: IPv6 addresses go in brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * formatEndpoints with ports=nil: ready addresses only, `ip:port` for every port of each
 * subset (bare IPs for a portless headless subset), the first three then ` + N more...`,
 * `<none>` when there are no subsets.
 */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === maxListed) {
          more = true;
          break;
        }
        list.push(addr.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === maxListed) {
          more = true;
          break;
        }
        list.push(joinHostPort(addr.ip, port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - maxListed} more...` : ret;
}

export function endpointsRow(ep: Endpoints, now: Date): TableRow {
  return {
    cells: [ep.metadata.name ?? '', formatEndpoints(ep), translateTimestampSince(ep.metadata.creationTimestamp, now)],
    object: ep,
  };
}

export const endpointsPrinter: Printer<Endpoints> = { columns: endpointsColumns, row: endpointsRow };
