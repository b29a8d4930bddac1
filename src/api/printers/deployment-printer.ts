// printDeployment from pkg/printers/internalversion/printers.go.

import type { Deployment, LabelSelector } from '../types.js';
import { labelSelectorString } from '../labels.js';
import { containersColumnDescription, imagesColumnDescription, layoutContainerCells } from './container-cells.js';
import { translateTimestampSince } from './human-duration.js';
import { swaggerDoc } from './swagger-docs.js';
import { ageColumn, column, nameColumn, wideColumn, type Printer, type TableRow } from './table.js';

export const deploymentColumns = [
  nameColumn,
  column('Ready', 'string', 'Number of the pod with ready state'),
  column('Up-to-date', 'string', swaggerDoc['DeploymentStatus.updatedReplicas']),
  column('Available', 'string', swaggerDoc['DeploymentStatus.availableReplicas']),
  ageColumn,
  wideColumn('Containers', 'string', containersColumnDescription),
  wideColumn('Images', 'string', imagesColumnDescription),
  wideColumn('Selector', 'string', swaggerDoc['DeploymentSpec.selector']),
];

/** Unlike ReplicaSets, Deployments print the bare selector string ("" when empty); `<invalid>` if it does not parse. */
function selectorCell(selector: LabelSelector | undefined): string {
  try {
    return labelSelectorString(selector);
  } catch {
    return '<invalid>';
  }
}

export function deploymentRow(d: Deployment, now: Date): TableRow {
  // apps/v1 defaulting sets spec.replicas to 1, so a stored Deployment always has it.
  const desired = d.spec.replicas ?? 1;
  const status = d.status ?? {};
  const { names, images } = layoutContainerCells(d.spec.template?.spec?.containers);
  return {
    cells: [
      d.metadata.name ?? '',
      `${status.readyReplicas ?? 0}/${desired}`,
      status.updatedReplicas ?? 0,
      status.availableReplicas ?? 0,
      translateTimestampSince(d.metadata.creationTimestamp, now),
      names,
      images,
      selectorCell(d.spec.selector),
    ],
    object: d,
  };
}

export const deploymentPrinter: Printer<Deployment> = { columns: deploymentColumns, row: deploymentRow };
