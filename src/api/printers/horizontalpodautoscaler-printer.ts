// printHorizontalPodAutoscaler and formatHPAMetrics from pkg/printers/internalversion/printers.go,
// as of Kubernetes 1.30+ (kubernetes#122804): Resource and ContainerResource targets name their
// resource ("cpu: 12%/50%"); older servers printed "12%/50%".

import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from '../types.js';
import { canonicalQuantity } from '../quantity.js';
import { translateTimestampSince } from './human-duration.js';
import { ageColumn, column, nameColumn, type Printer, type TableRow } from './table.js';

export const horizontalPodAutoscalerColumns = [
  nameColumn,
  column(
    'Reference',
    'string',
    'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.',
  ),
  column(
    'Targets',
    'string',
    'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.',
  ),
  column(
    'MinPods',
    'string',
    'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.',
  ),
  column('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.'),
  column('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
  ageColumn,
];

/** How many metrics the TARGETS cell shows before "+ N more...". */
const shownMetrics = 2;

const unknown = '<unknown>';
/** Quantity.String(): the canonical form; "<nil>" for a nil *Quantity. */
const q = (v: string | number | undefined | null) => (v === undefined || v === null ? '<nil>' : canonicalQuantity(v));
const percent = (v: number | undefined | null) => (v === undefined || v === null ? undefined : `${v}%`);

/** One metric's "current/target", the status read at the same index as the spec. */
function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case 'External': {
      const t = spec.external?.target;
      if (t?.averageValue != null) return `${status?.external?.current.averageValue != null ? q(status.external.current.averageValue) : unknown}/${q(t.averageValue)} (avg)`;
      return `${status?.external ? q(status.external.current.value) : unknown}/${q(t?.value)}`;
    }
    case 'Pods':
      return `${status?.pods ? q(status.pods.current.averageValue) : unknown}/${q(spec.pods?.target.averageValue)}`;
    case 'Object': {
      const t = spec.object?.target;
      if (t?.averageValue != null) return `${status?.object?.current.averageValue != null ? q(status.object.current.averageValue) : unknown}/${q(t.averageValue)} (avg)`;
      return `${status?.object ? q(status.object.current.value) : unknown}/${q(t?.value)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const source = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const current = spec.type === 'Resource' ? status?.resource : status?.containerResource;
      const name = source?.name ?? '';
      if (source?.target.averageValue != null) return `${name}: ${current ? q(current.current.averageValue) : unknown}/${q(source.target.averageValue)}`;
      return `${name}: ${percent(current?.current.averageUtilization) ?? unknown}/${percent(source?.target.averageUtilization) ?? '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

/** formatHPAMetrics: the first two metrics, then how many more. */
export function formatHPAMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined | null): string {
  if (!specs?.length) return '<none>';
  const list = specs.map((spec, i) => formatMetric(spec, statuses?.[i]));
  if (list.length <= shownMetrics) return list.join(', ');
  return `${list.slice(0, shownMetrics).join(', ')} + ${list.length - shownMetrics} more...`;
}

export function horizontalPodAutoscalerRow(hpa: HorizontalPodAutoscaler, now: Date): TableRow {
  const spec = hpa.spec;
  return {
    cells: [
      hpa.metadata.name ?? '',
      `${spec?.scaleTargetRef?.kind ?? ''}/${spec?.scaleTargetRef?.name ?? ''}`,
      formatHPAMetrics(spec?.metrics, hpa.status?.currentMetrics),
      spec?.minReplicas == null ? '<unset>' : String(spec.minReplicas),
      spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      translateTimestampSince(hpa.metadata.creationTimestamp, now),
    ],
    object: hpa,
  };
}

export const horizontalPodAutoscalerPrinter: Printer<HorizontalPodAutoscaler> = { columns: horizontalPodAutoscalerColumns, row: horizontalPodAutoscalerRow };
