// printPod from pkg/printers/internalversion/printers.go: READY, STATUS and RESTARTS
// summarise the container statuses the way `kubectl get pods` users know them.

import type { Container, ContainerStatus, Pod, PodStatus } from '../types.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow, type TableRowCondition } from './table.js';

export const podColumns = [
  nameColumn,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  ageColumn,
  wideColumn('IP', 'string', swaggerDoc['PodStatus.podIP']),
  wideColumn('Node', 'string', swaggerDoc['PodSpec.nodeName']),
  wideColumn('Nominated Node', 'string', swaggerDoc['PodStatus.nominatedNodeName']),
  wideColumn('Readiness Gates', 'string', swaggerDoc['PodSpec.readinessGates']),
];

const podSucceededConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const podFailedConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

// pkg/util/node.NodeUnreachablePodReason: set by the node lifecycle controller.
const nodeUnreachablePodReason = 'NodeLost';

// A sidecar (KEP-753): an init container with restartPolicy Always. Container in
// types.ts predates the field, hence the local widening.
function isRestartableInitContainer(container: (Container & { restartPolicy?: string }) | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

function hasCondition(status: PodStatus, type: string): boolean {
  return (status.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

// isPodInitializedConditionTrue: only the first Initialized condition counts.
function isPodInitializedConditionTrue(status: PodStatus): boolean {
  const c = (status.conditions ?? []).find((cond) => cond.type === 'Initialized');
  return c?.status === 'True';
}

/** When the container last terminated (ms), or undefined if it never did. */
function lastTermination(cs: ContainerStatus): number | undefined {
  if (!cs.lastState?.terminated) return undefined;
  return parseTimestamp(cs.lastState.terminated.finishedAt);
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b > a ? b : a;
}

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: number | undefined;
}

function summarisePod(pod: Pod): PodSummary {
  const status = pod.status ?? {};
  const initContainers = pod.spec.initContainers ?? [];
  const initByName = new Map(initContainers.map((c) => [c.name, c]));
  const total = (pod.spec.containers ?? []).length + initContainers.filter((c) => isRestartableInitContainer(c)).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;

  let reason: string = status.phase ?? '';
  if (status.reason) reason = status.reason;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const sidecar = isRestartableInitContainer(initByName.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestart = later(lastRestart, lastTermination(cs));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, lastTermination(cs));
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated) {
      // initialization failed
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isPodInitializedConditionTrue(status)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Backwards, so the first container with a problem has the last word.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = later(lastRestart, lastTermination(cs));
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod with a completed container and a still running one is not "Completed".
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(status, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata.deletionTimestamp != null;
  if (deleting && status.reason === nodeUnreachablePodReason) {
    reason = 'Unknown';
  } else if (deleting && status.phase !== 'Succeeded' && status.phase !== 'Failed') {
    reason = 'Terminating';
  }
  return { ready, total, reason, restarts, lastRestart };
}

function restartsCell(restarts: number, lastRestart: number | undefined, now: Date): string {
  if (restarts === 0 || lastRestart === undefined) return String(restarts);
  return `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
}

// v1 → internal conversion makes status.podIP authoritative over podIPs[0].
function podIP(status: PodStatus): string {
  return status.podIP || status.podIPs?.[0]?.ip || '';
}

function readinessGatesCell(pod: Pod): string {
  const gates = pod.spec.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  let trueConditions = 0;
  for (const gate of gates) {
    const c = conditions.find((cond) => cond.type === gate.conditionType);
    if (c?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

export function podRow(pod: Pod, now: Date): TableRow {
  const s = summarisePod(pod);
  const status = pod.status ?? {};
  const row: TableRow = {
    cells: [
      pod.metadata.name ?? '',
      `${s.ready}/${s.total}`,
      s.reason,
      restartsCell(s.restarts, s.lastRestart, now),
      translateTimestampSince(pod.metadata.creationTimestamp, now),
      podIP(status) || '<none>',
      pod.spec.nodeName || '<none>',
      status.nominatedNodeName || '<none>',
      readinessGatesCell(pod),
    ],
    object: pod,
  };
  if (status.phase === 'Succeeded') row.conditions = podSucceededConditions;
  if (status.phase === 'Failed') row.conditions = podFailedConditions;
  return row;
}

export const podPrinter: Printer<Pod> = { columns: podColumns, row: podRow };
