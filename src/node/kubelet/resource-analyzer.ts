// The kubelet's resource analyzer (pkg/kubelet/server/stats): the node's usage now, read from
// the cgroups runc put each container in (containerCgroupPath, in every hierarchy).
import type { KubeletBase } from '../kubelet-base.js';
import { containerCgroupPath } from '../container-cgroup.js';
import { collectNodeUsage, readCgroupUsage, type NodeResourceUsage } from '../resource-usage.js';
import { cgroupMounts } from './container-limits.js';

export function cgroupNodeUsage(kubelet: Pick<KubeletBase, 'boundPods'>, cluster: string, now = new Date()): NodeResourceUsage {
  const mounts = cgroupMounts();
  return collectNodeUsage(kubelet.boundPods(), (pod, container) => readCgroupUsage(mounts, containerCgroupPath(cluster, pod.metadata.uid ?? '', container)), now);
}
