// Server-side printing: the Table the API server returns when kubectl asks for
// `application/json;as=Table;v=v1;g=meta.k8s.io`. One printer per kind, as upstream
// registers one TableHandler per type; anything else gets the generic NAME / CREATED AT.

import type { KubeObject } from '../types.js';
import { configMapPrinter } from './configmap-printer.js';
import { cronJobPrinter } from './cronjob-printer.js';
import { controllerRevisionPrinter } from './controllerrevision-printer.js';
import { daemonSetPrinter } from './daemonset-printer.js';
import { defaultPrinter } from './default-printer.js';
import { deploymentPrinter } from './deployment-printer.js';
import { endpointsPrinter } from './endpoints-printer.js';
import { endpointSlicePrinter } from './endpointslice-printer.js';
import { eventPrinter } from './event-printer.js';
import { jobPrinter } from './job-printer.js';
import { leasePrinter } from './lease-printer.js';
import { namespacePrinter } from './namespace-printer.js';
import { nodePrinter } from './node-printer.js';
import { podPrinter } from './pod-printer.js';
import { podDisruptionBudgetPrinter } from './poddisruptionbudget-printer.js';
import { replicaSetPrinter } from './replicaset-printer.js';
import { replicationControllerPrinter } from './replicationcontroller-printer.js';
import { scalePrinter } from './scale-printer.js';
import { secretPrinter } from './secret-printer.js';
import { serviceAccountPrinter } from './serviceaccount-printer.js';
import { servicePrinter } from './service-printer.js';
import { statefulSetPrinter } from './statefulset-printer.js';
import type { Printer, TableResult } from './table.js';

export type { Printer, TableColumnDefinition, TableResult, TableRow, TableRowCondition } from './table.js';

// Each printer is typed for its kind; the dispatch below is what guarantees the match.
const printers: Record<string, Printer<never>> = {
  Pod: podPrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  EndpointSlice: endpointSlicePrinter,
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  StatefulSet: statefulSetPrinter,
  ControllerRevision: controllerRevisionPrinter,
  DaemonSet: daemonSetPrinter,
  Node: nodePrinter,
  Namespace: namespacePrinter,
  Event: eventPrinter,
  ConfigMap: configMapPrinter,
  Secret: secretPrinter,
  ServiceAccount: serviceAccountPrinter,
  Lease: leasePrinter,
  Scale: scalePrinter,
  Job: jobPrinter,
  CronJob: cronJobPrinter,
  ReplicationController: replicationControllerPrinter,
  PodDisruptionBudget: podDisruptionBudgetPrinter,
};

/** The printer for a kind: its own, or the API server's default one. */
export function printerFor(kind: string): Printer {
  return (printers[kind] as Printer | undefined) ?? defaultPrinter;
}

/** The Table columns and rows for objects of one kind (one row per object, in order). */
export function printTable(kind: string, objs: KubeObject[], now: Date): TableResult {
  const printer = printerFor(kind);
  return { columnDefinitions: printer.columns, rows: objs.map((obj) => printer.row(obj, now)) };
}
