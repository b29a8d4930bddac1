import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../types.js';
import { eventColumns, eventRow } from './event-printer.js';

const now = new Date('2025-01-01T12:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 24 * 3600 * 1000).toISOString();

function event(fields: Partial<Event> & { series?: { count?: number; lastObservedTime?: string } }): Event {
  return {
    metadata: { name: 'event2' },
    source: { component: 'kubelet', host: 'Node1' },
    involvedObject: { kind: 'Deployment', name: 'Deployment Name', fieldPath: 'spec.containers{foo}' },
    reason: 'Event Reason',
    message: 'Message Data',
    type: 'Warning',
    ...fields,
  };
}

test('event columns: the wide ones sit between the others', () => {
  assert.deepEqual(
    eventColumns.map((c) => [c.name, c.format, c.priority]),
    [
      ['Last Seen', '', 0],
      ['Type', '', 0],
      ['Reason', '', 0],
      ['Object', '', 0],
      ['Subobject', '', 1],
      ['Source', '', 1],
      ['Message', '', 0],
      ['First Seen', '', 1],
      ['Count', '', 1],
      ['Name', 'name', 1],
    ],
  );
});

// Cases from TestPrintEvent (wide, as the server always prints).
test('printEvent timestamps and counts', () => {
  assert.deepEqual(eventRow(event({ firstTimestamp: daysAgo(3), lastTimestamp: daysAgo(2), count: 6 }), now).cells, [
    '2d', 'Warning', 'Event Reason', 'deployment/Deployment Name', 'spec.containers{foo}', 'kubelet, Node1', 'Message Data', '3d', 6, 'event2',
  ]);
  // No firstTimestamp: eventTime.
  assert.deepEqual(eventRow(event({ eventTime: daysAgo(3), lastTimestamp: daysAgo(3), count: 1 }), now).cells.slice(7, 9), ['3d', 1]);
  // No lastTimestamp: firstTimestamp.
  assert.deepEqual(eventRow(event({ eventTime: daysAgo(3), firstTimestamp: daysAgo(3), count: 1 }), now).cells[0], '3d');
  // Neither: both from eventTime.
  const onlyEventTime = eventRow(event({ eventTime: daysAgo(3), count: 1 }), now).cells;
  assert.deepEqual([onlyEventTime[0], onlyEventTime[7]], ['3d', '3d']);
  // A series: last seen and count from it.
  const series = eventRow(event({ eventTime: daysAgo(3), series: { count: 2, lastObservedTime: daysAgo(2) } }), now).cells;
  assert.deepEqual([series[0], series[7], series[8]], ['2d', '3d', 2]);
  // A singleton from events.k8s.io has no count: 1.
  assert.equal(eventRow(event({ eventTime: daysAgo(3) }), now).cells[8], 1);
});

test('printEvent source falls back to reportingComponent / reportingInstance', () => {
  const ev = event({ source: {}, reportingComponent: 'kubelet', reportingInstance: 'test', firstTimestamp: daysAgo(3), lastTimestamp: daysAgo(2), count: 6 });
  assert.equal(eventRow(ev, now).cells[5], 'kubelet, test');
  assert.equal(eventRow(event({ source: { component: 'default-scheduler' } }), now).cells[5], 'default-scheduler');
});

test('tutorial event: pod Scheduled, message trimmed, object without name', () => {
  const ev = event({
    metadata: { name: 'web-app-7b8c9d5f6b-abc12.17a2b3c4d5e6f7a8' },
    type: 'Normal',
    reason: 'Scheduled',
    message: 'Successfully assigned default/web-app-7b8c9d5f6b-abc12 to node-1\n',
    source: { component: 'default-scheduler' },
    involvedObject: { kind: 'Pod', name: 'web-app-7b8c9d5f6b-abc12', namespace: 'default' },
    firstTimestamp: '2025-01-01T11:59:15Z',
    lastTimestamp: '2025-01-01T11:59:15Z',
    count: 1,
  });
  assert.deepEqual(eventRow(ev, now).cells, [
    '45s', 'Normal', 'Scheduled', 'pod/web-app-7b8c9d5f6b-abc12', '', 'default-scheduler',
    'Successfully assigned default/web-app-7b8c9d5f6b-abc12 to node-1', '45s', 1, 'web-app-7b8c9d5f6b-abc12.17a2b3c4d5e6f7a8',
  ]);
  assert.equal(eventRow(event({ involvedObject: { kind: 'Node' } }), now).cells[3], 'node');
  assert.equal(eventRow(event({}), now).cells[0], '<unknown>');
});
