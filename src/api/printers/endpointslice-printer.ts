// printEndpointSlice / formatDiscoveryPorts / formatDiscoveryEndpoints from
// pkg/printers/internalversion/printers.go.

import type { DiscoveryEndpointPort, Endpoint, EndpointSlice } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const endpointSliceColumns = [
  nameColumn,
  column('AddressType', 'string', swaggerDoc['EndpointSlice.addressType']),
  column('Ports', 'string', swaggerDoc['EndpointSlice.ports']),
  column('Endpoints', 'string', swaggerDoc['EndpointSlice.endpoints']),
  ageColumn,
];

const maxListed = 3;

// listWithMoreString: `a,b,c + N more...`, or `<unset>` for an empty list.
function listWithMore(list: string[], more: boolean, count: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - maxListed} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** formatDiscoveryPorts: the port number, else its name, else `*` (all ports). */
export function formatDiscoveryPorts(ports: DiscoveryEndpointPort[] | null | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const port of ports ?? []) {
    if (list.length < maxListed) {
      if (port.port != null) list.push(String(port.port));
      else if (port.name != null) list.push(port.name);
      else list.push('*');
    } else if (list.length === maxListed) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count);
}

/** formatDiscoveryEndpoints: every address of every endpoint, ready or not. */
export function formatDiscoveryEndpoints(endpoints: Endpoint[] | null | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const endpoint of endpoints ?? []) {
    for (const address of endpoint.addresses ?? []) {
      if (list.length < maxListed) list.push(address);
      else if (list.length === maxListed) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count);
}

export function endpointSliceRow(slice: EndpointSlice, now: Date): TableRow {
  return {
    cells: [
      slice.metadata.name ?? '',
      slice.addressType ?? '',
      formatDiscoveryPorts(slice.ports),
      formatDiscoveryEndpoints(slice.endpoints),
      translateTimestampSince(slice.metadata.creationTimestamp, now),
    ],
    object: slice,
  };
}

export const endpointSlicePrinter: Printer<EndpointSlice> = { columns: endpointSliceColumns, row: endpointSliceRow };
