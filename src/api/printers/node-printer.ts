// printNode from pkg/printers/internalversion/printers.go.

import type { Node, NodeSystemInfo } from '../types.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const nodeColumns = [
  nameColumn,
  column('Status', 'string', 'The status of the node'),
  column('Roles', 'string', 'The roles of the node'),
  ageColumn,
  column('Version', 'string', swaggerDoc['NodeSystemInfo.kubeletVersion']),
  wideColumn('Internal-IP', 'string', swaggerDoc['NodeStatus.addresses']),
  wideColumn('External-IP', 'string', swaggerDoc['NodeStatus.addresses']),
  wideColumn('OS-Image', 'string', swaggerDoc['NodeSystemInfo.osImage']),
  wideColumn('Kernel-Version', 'string', swaggerDoc['NodeSystemInfo.kernelVersion']),
  wideColumn('Container-Runtime', 'string', swaggerDoc['NodeSystemInfo.containerRuntimeVersion']),
];

const labelNodeRolePrefix = 'node-role.kubernetes.io/';
const nodeLabelRole = 'kubernetes.io/role';

/** Ready / NotReady / Unknown from the Ready condition, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: Node): string {
  const status: string[] = [];
  // Only Ready is shown; a later duplicate condition wins, as with upstream's map.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** findNodeRoles: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>`, sorted. */
export function findNodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(labelNodeRolePrefix)) {
      const role = k.slice(labelNodeRolePrefix.length);
      if (role) roles.add(role);
    } else if (k === nodeLabelRole && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

export function nodeRow(node: Node, now: Date): TableRow {
  const info: Partial<NodeSystemInfo> = node.status?.nodeInfo ?? {};
  return {
    cells: [
      node.metadata.name ?? '',
      nodeStatus(node),
      findNodeRoles(node).join(',') || '<none>',
      translateTimestampSince(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ],
    object: node,
  };
}

export const nodePrinter: Printer<Node> = { columns: nodeColumns, row: nodeRow };
