// The kubelet's /metrics/resource (pkg/kubelet/metrics/collectors/resource_metrics.go): a node's
// resource usage as Prometheus text, the endpoint metrics-server scrapes. Samples carry their
// timestamp in milliseconds, as the kubelet writes them; parseResourceMetrics reads the same text
// back on the API server's side (metrics-server's decoder keeps only these series).
import type { ContainerUsage, NodeResourceUsage } from './node-resource-usage.js';

const series = {
  nodeCPU: 'node_cpu_usage_seconds_total',
  nodeMemory: 'node_memory_working_set_bytes',
  containerCPU: 'container_cpu_usage_seconds_total',
  containerMemory: 'container_memory_working_set_bytes',
};

const labelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The text the kubelet answers on GET /metrics/resource. */
export function renderResourceMetrics(usage: NodeResourceUsage): string {
  const ts = usage.time.getTime();
  const labels = (c: ContainerUsage) => `{container="${labelValue(c.container)}",namespace="${labelValue(c.namespace)}",pod="${labelValue(c.pod)}"}`;
  const out = [
    `# HELP ${series.containerCPU} [STABLE] Cumulative cpu time consumed by the container in core-seconds`,
    `# TYPE ${series.containerCPU} counter`,
    ...usage.containers.map((c) => `${series.containerCPU}${labels(c)} ${c.cpuCoreSeconds} ${ts}`),
    `# HELP ${series.containerMemory} [STABLE] Current working set of the container in bytes`,
    `# TYPE ${series.containerMemory} gauge`,
    ...usage.containers.map((c) => `${series.containerMemory}${labels(c)} ${c.memoryWorkingSetBytes} ${ts}`),
    `# HELP ${series.nodeCPU} [STABLE] Cumulative cpu time consumed by the node in core-seconds`,
    `# TYPE ${series.nodeCPU} counter`,
    `${series.nodeCPU} ${usage.node.cpuCoreSeconds} ${ts}`,
    `# HELP ${series.nodeMemory} [STABLE] Current working set of the node in bytes`,
    `# TYPE ${series.nodeMemory} gauge`,
    `${series.nodeMemory} ${usage.node.memoryWorkingSetBytes} ${ts}`,
    '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
    '# TYPE resource_scrape_error gauge',
    'resource_scrape_error 0',
  ];
  return `${out.join('\n')}\n`;
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
  return out;
}

/** Reads /metrics/resource text back into a reading (the node's timestamp is the reading's time). */
export function parseResourceMetrics(text: string): NodeResourceUsage {
  const usage: NodeResourceUsage = { time: new Date(0), node: { cpuCoreSeconds: 0, memoryWorkingSetBytes: 0 }, containers: [] };
  const byContainer = new Map<string, ContainerUsage>();
  for (const line of text.split('\n')) {
    const m = /^(\w+)(\{[^}]*\})? (\S+)(?: (\d+))?$/.exec(line);
    if (!m) continue;
    const [, name, labelText, value, ts] = m;
    const v = Number(value);
    if (name === series.nodeCPU || name === series.nodeMemory) {
      if (name === series.nodeCPU) usage.node.cpuCoreSeconds = v;
      else usage.node.memoryWorkingSetBytes = v;
      if (ts) usage.time = new Date(Number(ts));
      continue;
    }
    if (name !== series.containerCPU && name !== series.containerMemory) continue;
    const l = parseLabels(labelText ?? '');
    const key = `${l.namespace}/${l.pod}/${l.container}`;
    let c = byContainer.get(key);
    if (!c) {
      c = { namespace: l.namespace ?? '', pod: l.pod ?? '', container: l.container ?? '', cpuCoreSeconds: 0, memoryWorkingSetBytes: 0 };
      byContainer.set(key, c);
      usage.containers.push(c);
    }
    if (name === series.containerCPU) c.cpuCoreSeconds = v;
    else c.memoryWorkingSetBytes = v;
  }
  return usage;
}
