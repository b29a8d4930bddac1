// NodeMetrics (metrics-server pkg/api/node.go): each node's usage over the last window, with the
// node's labels (label selectors select on them), for nodes that still exist.
import type { Node } from '../../api/types.js';
import { nodeMetrics } from '../metrics/resource-metrics.js';
import { nodeMetricsPrinter } from '../../api/printers/resource-metrics-printer.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const nodemetrics: ResourceModule = {
  printer: nodeMetricsPrinter,
  strategy: (info) => defaultStrategy(info),
  computed: (deps) => async () => {
    const nodes = new Map(((await deps.registry('nodes').list(undefined)).items as Node[]).map((n) => [n.metadata.name, n]));
    const now = new Date();
    return deps.resourceMetrics().flatMap((pair) => {
      const node = nodes.get(pair.node);
      const m = node && nodeMetrics({ ...pair, labels: node.metadata.labels }, now);
      return m ? [m] : [];
    });
  },
};
