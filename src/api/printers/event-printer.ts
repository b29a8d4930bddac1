// printEvent from pkg/printers/internalversion/printers.go. The server prints wide, so every
// row carries all ten cells in column order (kubectl hides the priority-1 ones).

import type { Event } from '../types.js';
import { parseTimestamp, translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const eventColumns = [
  column('Last Seen', 'string', swaggerDoc['Event.lastTimestamp']),
  column('Type', 'string', swaggerDoc['Event.type']),
  column('Reason', 'string', swaggerDoc['Event.reason']),
  column('Object', 'string', swaggerDoc['Event.involvedObject']),
  wideColumn('Subobject', 'string', swaggerDoc['ObjectReference.fieldPath']),
  wideColumn('Source', 'string', swaggerDoc['Event.source']),
  column('Message', 'string', swaggerDoc['Event.message']),
  wideColumn('First Seen', 'string', swaggerDoc['Event.firstTimestamp']),
  wideColumn('Count', 'string', swaggerDoc['Event.count']),
  { ...nameColumn, priority: 1 },
];

// Events written through events.k8s.io/v1 carry a series instead of count/lastTimestamp.
type SeriesEvent = Event & { series?: { count?: number; lastObservedTime?: string } | null };

/** formatEventSource: source.component (else reportingComponent), then `, host` (else reportingInstance). */
export function formatEventSource(ev: Event): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/** The OBJECT cell: `kind/name` with the kind lower-cased, or just the kind. */
function eventTarget(ev: Event): string {
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  const name = ev.involvedObject?.name ?? '';
  return name ? `${kind}/${name}` : kind;
}

export function eventRow(ev: SeriesEvent, now: Date): TableRow {
  // firstTimestamp falls back to eventTime, lastTimestamp to firstTimestamp.
  const firstSeen =
    parseTimestamp(ev.firstTimestamp) === undefined
      ? translateTimestampSince(ev.eventTime, now)
      : translateTimestampSince(ev.firstTimestamp, now);
  let lastSeen = parseTimestamp(ev.lastTimestamp) === undefined ? firstSeen : translateTimestampSince(ev.lastTimestamp, now);
  let count = ev.count ?? 0;
  if (ev.series) {
    lastSeen = translateTimestampSince(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events do not set a count in the new API.
    count = 1;
  }
  return {
    cells: [
      lastSeen,
      ev.type ?? '',
      ev.reason ?? '',
      eventTarget(ev),
      ev.involvedObject?.fieldPath ?? '',
      formatEventSource(ev),
      (ev.message ?? '').trim(),
      firstSeen,
      count,
      ev.metadata.name ?? '',
    ],
    object: ev,
  };
}

export const eventPrinter: Printer<SeriesEvent> = { columns: eventColumns, row: eventRow };
