// A node's resource usage at one instant, as its kubelet reports it on /metrics/resource and
// the API server's metrics scraper reads it (node/resource-usage.ts, apiserver/metrics/).

export interface Usage {
  /** Cumulative CPU time in core-seconds. */
  cpuCoreSeconds: number;
  memoryWorkingSetBytes: number;
}

export interface ContainerUsage extends Usage {
  namespace: string;
  pod: string;
  container: string;
}

/** One reading of a node (upstream: the kubelet's summary at one instant). */
export interface NodeResourceUsage {
  time: Date;
  node: Usage;
  containers: ContainerUsage[];
}
