import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod, PodSpec, PodStatus } from '../types.js';
import { podColumns, podRow } from './pod-printer.js';

const now = new Date('2025-01-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const sec = 1000;
const day = 24 * 3600 * sec;

function containers(n: number): PodSpec['containers'] {
  return Array.from({ length: n }, (_, i) => ({ name: `c${i}` }));
}

function cs(partial: Partial<ContainerStatus>): ContainerStatus {
  return { name: '', ready: false, restartCount: 0, image: '', imageID: '', ...partial };
}

function pod(name: string, spec: Partial<PodSpec>, status: PodStatus, meta: Partial<Pod['metadata']> = {}): Pod {
  return { metadata: { name, ...meta }, spec: { containers: [], ...spec }, status };
}

// The first five cells (the non-wide ones).
const cells = (p: Pod) => podRow(p, now).cells.slice(0, 5);

test('pod columns match upstream, wide ones at priority 1', () => {
  assert.deepEqual(
    podColumns.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ],
  );
});

test('tutorial pod: Running on node-1 with a 10.244 IP', () => {
  const p = pod(
    'web-app-7b8c9d5f6b-abc12',
    { containers: containers(1), nodeName: 'node-1' },
    {
      phase: 'Running',
      podIP: '10.244.1.10',
      podIPs: [{ ip: '10.244.1.10' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [cs({ name: 'c0', ready: true, state: { running: { startedAt: ago(300 * sec) } } })],
    },
    { creationTimestamp: ago(300 * sec) },
  );
  assert.deepEqual(podRow(p, now).cells, ['web-app-7b8c9d5f6b-abc12', '1/1', 'Running', '0', '5m', '10.244.1.10', 'node-1', '<none>', '<none>']);
  assert.equal(podRow(p, now).object, p);
  assert.equal(podRow(p, now).conditions, undefined);
});

// Cases from TestPrintPod in pkg/printers/internalversion/printers_test.go.
test('printPod: phase, container reasons and readiness', () => {
  const running = { running: {} };
  assert.deepEqual(
    cells(pod('test1', { containers: containers(2) }, {
      phase: 'podPhase' as PodStatus['phase'],
      containerStatuses: [cs({ ready: true, restartCount: 3, state: running }), cs({ restartCount: 3 })],
    })),
    ['test1', '1/2', 'podPhase', '6', '<unknown>'],
  );
  assert.deepEqual(
    cells(pod('test2', { containers: containers(2) }, {
      phase: 'podPhase' as PodStatus['phase'],
      containerStatuses: [
        cs({ ready: true, restartCount: 3, state: running }),
        cs({ restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }),
      ],
    })),
    ['test2', '1/2', 'ContainerWaitingReason', '6', '<unknown>'],
  );
  assert.deepEqual(
    cells(pod('test3', { containers: containers(2) }, {
      phase: 'podPhase' as PodStatus['phase'],
      containerStatuses: [
        cs({ restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }),
        cs({ restartCount: 3, state: { terminated: { reason: 'ContainerTerminatedReason', exitCode: 0 } } }),
      ],
    })),
    ['test3', '0/2', 'ContainerWaitingReason', '6', '<unknown>'],
  );
  assert.deepEqual(
    cells(pod('test5', { containers: containers(2) }, {
      reason: 'podReason',
      phase: 'podPhase' as PodStatus['phase'],
      containerStatuses: [cs({ ready: true, restartCount: 3, state: running }), cs({ ready: true, restartCount: 3 })],
    })),
    ['test5', '1/2', 'podReason', '6', '<unknown>'],
  );
});

test('printPod: a completed container beside a running one is NotReady or Running', () => {
  const statuses = [
    cs({ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }),
    cs({ ready: true, restartCount: 3, state: { running: {} } }),
  ];
  assert.deepEqual(cells(pod('test6', { containers: containers(2) }, { phase: 'Running', containerStatuses: statuses })), [
    'test6', '1/2', 'NotReady', '6', '<unknown>',
  ]);
  assert.deepEqual(
    cells(pod('test6', { containers: containers(2) }, {
      phase: 'Running',
      containerStatuses: statuses,
      conditions: [{ type: 'Ready', status: 'True' }],
    })),
    ['test6', '1/2', 'Running', '6', '<unknown>'],
  );
});

test('printPod: init containers', () => {
  const restarting = cs({ restartCount: 3, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(10 * sec) } } });
  const waitingMain = [cs({ state: { waiting: {} } })];
  assert.deepEqual(
    cells(pod('test7', { initContainers: containers(1), containers: containers(1) }, {
      phase: 'podPhase' as PodStatus['phase'], initContainerStatuses: [restarting], containerStatuses: waitingMain,
    })),
    ['test7', '0/1', 'Init:0/1', '3 (10s ago)', '<unknown>'],
  );
  assert.deepEqual(
    cells(pod('test9', { initContainers: containers(2), containers: containers(1) }, {
      phase: 'podPhase' as PodStatus['phase'],
      initContainerStatuses: [cs({ state: { terminated: { exitCode: 0 } } }), restarting],
      containerStatuses: waitingMain,
    })),
    ['test9', '0/1', 'Init:1/2', '3 (10s ago)', '<unknown>'],
  );
  assert.deepEqual(
    cells(pod('test10', { initContainers: containers(2), containers: containers(1) }, {
      phase: 'podPhase' as PodStatus['phase'],
      initContainerStatuses: [
        cs({ restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(120 * sec) } } }),
        restarting,
      ],
      containerStatuses: waitingMain,
    })),
    ['test10', '0/1', 'Init:1/2', '5 (10s ago)', '<unknown>'],
  );
  // Once init is done only the app containers' restarts count.
  assert.deepEqual(
    cells(pod('test11', { initContainers: containers(1), containers: containers(1) }, {
      phase: 'Running',
      initContainerStatuses: [
        cs({ restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(120 * sec) } } }),
      ],
      containerStatuses: [
        cs({ restartCount: 4, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(20 * sec) } } }),
      ],
    })),
    ['test11', '0/1', 'Running', '4 (20s ago)', '<unknown>'],
  );
  const init = (state: ContainerStatus['state']) =>
    cells(pod('p', { initContainers: containers(1), containers: containers(1) }, {
      phase: 'Pending', initContainerStatuses: [cs({ state })], containerStatuses: waitingMain,
    }))[2];
  assert.equal(init({ waiting: { reason: 'CrashLoopBackOff' } }), 'Init:CrashLoopBackOff');
  assert.equal(init({ waiting: { reason: 'PodInitializing' } }), 'Init:0/1');
  assert.equal(init({ terminated: { exitCode: 1, reason: 'Error' } }), 'Init:Error');
  assert.equal(init({ terminated: { exitCode: 2 } }), 'Init:ExitCode:2');
  assert.equal(init({ terminated: { exitCode: 2, signal: 9 } }), 'Init:Signal:9');
});

test('printPod: restarts show the latest termination', () => {
  assert.deepEqual(
    cells(pod('test12', { containers: containers(1) }, {
      phase: 'Running',
      containerStatuses: [cs({ ready: true, restartCount: 3, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * day) } } })],
    })),
    ['test12', '1/1', 'Running', '3 (5d ago)', '<unknown>'],
  );
  assert.deepEqual(
    cells(pod('test14', { containers: containers(2) }, {
      phase: 'Running',
      containerStatuses: [
        cs({ ready: true, restartCount: 6, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * day) } } }),
        cs({ ready: true, restartCount: 3, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(20 * day) } } }),
      ],
    })),
    ['test14', '2/2', 'Running', '9 (5d ago)', '<unknown>'],
  );
});

test('printPod: terminated app containers without a reason', () => {
  const status = (terminated: { exitCode: number; signal?: number }) =>
    cells(pod('p', { containers: containers(1) }, { phase: 'Running', containerStatuses: [cs({ state: { terminated } })] }))[2];
  assert.equal(status({ exitCode: 137 }), 'ExitCode:137');
  assert.equal(status({ exitCode: 137, signal: 9 }), 'Signal:9');
});

test('printPod: SchedulingGated, Completed/Failed row conditions', () => {
  assert.deepEqual(
    cells(pod('test15', { containers: containers(2) }, {
      phase: 'podPhase' as PodStatus['phase'],
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    })),
    ['test15', '0/2', 'SchedulingGated', '0', '<unknown>'],
  );
  const succeeded = podRow(pod('test16', { containers: containers(1) }, {
    phase: 'Succeeded',
    containerStatuses: [cs({ state: { terminated: { reason: 'Completed', exitCode: 0 } } })],
  }), now);
  assert.deepEqual(succeeded.cells.slice(0, 5), ['test16', '0/1', 'Completed', '0', '<unknown>']);
  assert.deepEqual(succeeded.conditions, [
    { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
  ]);
  const failed = podRow(pod('test17', { containers: containers(1) }, {
    phase: 'Failed',
    containerStatuses: [cs({ state: { terminated: { reason: 'Error', exitCode: 1 } } })],
  }), now);
  assert.deepEqual(failed.cells.slice(0, 5), ['test17', '0/1', 'Error', '0', '<unknown>']);
  assert.deepEqual(failed.conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
});

test('printPod: deletion shows Terminating unless terminal, Unknown when the node is lost', () => {
  const deleting = { deletionTimestamp: ago(10 * sec) };
  assert.deepEqual(
    cells(pod('test18', { containers: containers(1) }, {
      phase: 'Succeeded', containerStatuses: [cs({ state: { terminated: { reason: 'Completed', exitCode: 0 } } })],
    }, deleting)),
    ['test18', '0/1', 'Completed', '0', '<unknown>'],
  );
  assert.deepEqual(
    cells(pod('test19', { containers: containers(1) }, { phase: 'Running', containerStatuses: [cs({ state: { running: {} } })] }, deleting)),
    ['test19', '0/1', 'Terminating', '0', '<unknown>'],
  );
  assert.deepEqual(cells(pod('test20', { containers: containers(1) }, { phase: 'Pending' }, deleting)), [
    'test20', '0/1', 'Terminating', '0', '<unknown>',
  ]);
  assert.equal(cells(pod('lost', { containers: containers(1) }, { phase: 'Running', reason: 'NodeLost' }, deleting))[2], 'Unknown');
});

// TestPrintPodWithRestartableInitContainer.
test('printPod: restartable init containers (sidecars)', () => {
  const sidecars = { initContainers: [{ name: 'r1', restartPolicy: 'Always' }, { name: 'r2', restartPolicy: 'Always' }], containers: containers(1) };
  const r1 = (started: boolean) =>
    cs({ name: 'r1', restartCount: 3, started, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(10 * sec) } } });
  assert.deepEqual(
    cells(pod('test1', sidecars, {
      phase: 'Pending',
      initContainerStatuses: [r1(false), cs({ name: 'r2', started: false, state: { waiting: {} } })],
      containerStatuses: [cs({ state: { waiting: {} } })],
      conditions: [{ type: 'Initialized', status: 'False' }],
    })),
    ['test1', '0/3', 'Init:0/2', '3 (10s ago)', '<unknown>'],
  );
  assert.deepEqual(
    cells(pod('test1', sidecars, {
      phase: 'Pending',
      initContainerStatuses: [r1(true), cs({ name: 'r2', started: false, state: { running: {} } })],
      containerStatuses: [cs({ state: { waiting: {} } })],
      conditions: [{ type: 'Initialized', status: 'False' }],
    })),
    ['test1', '0/3', 'Init:1/2', '3 (10s ago)', '<unknown>'],
  );
  assert.deepEqual(
    cells(pod('test2', sidecars, {
      phase: 'Running',
      initContainerStatuses: [r1(true), cs({ name: 'r2', started: true, state: { running: {} } })],
      containerStatuses: [
        cs({ ready: true, restartCount: 4, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(20 * sec) } } }),
      ],
      conditions: [{ type: 'Initialized', status: 'True' }],
    })),
    ['test2', '1/3', 'Running', '7 (10s ago)', '<unknown>'],
  );
  // Statuses for containers the spec does not have.
  const mixed = {
    initContainers: [{ name: 'init1', image: 'initimage' }, { name: 'sidecar1', image: 'sidecarimage', restartPolicy: 'Always' }],
    containers: [{ name: 'container1', image: 'containerimage' }],
  };
  assert.deepEqual(
    cells(pod('test4', mixed, {
      phase: 'Running',
      initContainerStatuses: [cs({ name: 'initinvalid' }), cs({ name: 'init1' }), cs({ name: 'sidecar1' })],
      containerStatuses: [cs({ name: 'containerinvalid' }), cs({ name: 'container1' })],
    })),
    ['test4', '0/2', 'Init:0/2', '0', '<unknown>'],
  );
});

// TestPrintPodwide.
test('printPod wide cells: IP, node, nominated node, readiness gates', () => {
  const spec = {
    containers: containers(2),
    nodeName: 'test1',
    readinessGates: [{ conditionType: 'condition1' }, { conditionType: 'condition2' }, { conditionType: 'condition3' }],
  };
  const status: PodStatus = {
    conditions: [{ type: 'condition1', status: 'False' }, { type: 'condition2', status: 'True' }],
    phase: 'podPhase' as PodStatus['phase'],
    podIPs: [{ ip: '1.1.1.1' }, { ip: '2001:db8::' }],
    containerStatuses: [cs({ ready: true, restartCount: 3, state: { running: {} } }), cs({ restartCount: 3 })],
    nominatedNodeName: 'node1',
  };
  assert.deepEqual(podRow(pod('test1', spec, status), now).cells, ['test1', '1/2', 'podPhase', '6', '<unknown>', '1.1.1.1', 'test1', 'node1', '1/3']);
  assert.deepEqual(
    podRow(pod('test2', { containers: containers(2) }, {
      phase: 'podPhase' as PodStatus['phase'],
      containerStatuses: [cs({ ready: true, restartCount: 3, state: { running: {} } }), cs({ restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } })],
    }), now).cells,
    ['test2', '1/2', 'ContainerWaitingReason', '6', '<unknown>', '<none>', '<none>', '<none>', '<none>'],
  );
});
