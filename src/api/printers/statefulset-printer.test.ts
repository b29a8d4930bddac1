import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, StatefulSet } from '../types.js';
import { controllerRevisionColumns, controllerRevisionRow } from './controllerrevision-printer.js';
import { printTable } from './index.js';
import { statefulSetColumns, statefulSetRow } from './statefulset-printer.js';

const now = new Date('2025-01-01T12:00:00Z');

test('statefulset columns: NAME READY AGE, wide CONTAINERS IMAGES', () => {
  assert.deepEqual(
    statefulSetColumns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Ready', 'string', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
    ],
  );
});

// TestPrintStatefulSet.
test('printStatefulSet: ready/desired', () => {
  const set: StatefulSet = {
    metadata: { name: 'test1', creationTimestamp: '2025-01-01T11:59:00Z' },
    spec: {
      replicas: 5,
      selector: { matchLabels: { foo: 'bar' } },
      template: { spec: { containers: [{ name: 'fake-container1', image: 'fake-image1' }, { name: 'fake-container2', image: 'fake-image2' }] } },
    },
    status: { replicas: 5, readyReplicas: 2, availableReplicas: 1 },
  };
  assert.deepEqual(statefulSetRow(set, now).cells, ['test1', '2/5', '60s', 'fake-container1,fake-container2', 'fake-image1,fake-image2']);
  assert.deepEqual(printTable('StatefulSet', [set], now).rows[0].cells.slice(0, 2), ['test1', '2/5']);
});

test('controllerrevision columns: NAME CONTROLLER REVISION AGE', () => {
  assert.deepEqual(
    controllerRevisionColumns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Controller', 'string', 0],
      ['Revision', 'string', 0],
      ['Age', 'string', 0],
    ],
  );
});

// TestPrintControllerRevision.
test('printControllerRevision: the controller as kind.group/name, <none> without one', () => {
  const owned: ControllerRevision = {
    metadata: {
      name: 'test1',
      creationTimestamp: '2025-01-01T11:59:00Z',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'not-a-controller', uid: 'a' },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'b', controller: true },
      ],
    },
    revision: 3,
  };
  assert.deepEqual(controllerRevisionRow(owned, now).cells, ['test1', 'statefulset.apps/web', 3, '60s']);
  const core: ControllerRevision = { metadata: { name: 'test2', ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'rc', uid: 'c', controller: true }] }, revision: 1 };
  assert.deepEqual(controllerRevisionRow(core, now).cells, ['test2', 'replicationcontroller/rc', 1, '<unknown>']);
  const orphan: ControllerRevision = { metadata: { name: 'test3' }, revision: 0 };
  assert.deepEqual(controllerRevisionRow(orphan, now).cells, ['test3', '<none>', 0, '<unknown>']);
});
