// PodMetrics (metrics-server pkg/api/pod.go): each running pod's containers' usage over the last
// window, with the pod's labels (kubectl top pods -l selects on them), for pods that still exist.
import type { Pod } from '../../api/types.js';
import { podMetrics } from '../metrics/resource-metrics.js';
import { podMetricsPrinter } from '../../api/printers/resource-metrics-printer.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const podmetrics: ResourceModule = {
  printer: podMetricsPrinter,
  strategy: (info) => defaultStrategy(info),
  computed: (deps) => async (namespace) => {
    const pods = new Map(((await deps.registry('pods').list(namespace)).items as Pod[]).map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
    const now = new Date();
    return deps.resourceMetrics().flatMap((pair) =>
      podMetrics(pair, now).flatMap((m) => {
        const pod = pods.get(`${m.metadata.namespace}/${m.metadata.name}`);
        if (!pod) return [];
        if (pod.metadata.labels) m.metadata.labels = pod.metadata.labels;
        return [m];
      }),
    );
  },
};
