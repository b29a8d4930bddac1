// NodeShouldRunDaemonPod (upstream pkg/controller/daemon/daemon_controller.go): whether a
// DaemonSet wants its pod on a node. The pod it would run there (template plus the daemon
// tolerations) must fit the node's name, nodeSelector and required node affinity, and
// tolerate the node's NoSchedule and NoExecute taints; a pod already running may stay while
// it tolerates the NoExecute ones (a NoSchedule taint added later does not evict it).
import type { DaemonSet, Node } from '../../api/types.js';
import { matchesNodeAffinity, toleratesTaint } from '../scheduler.js';
import { newDaemonPod } from './daemon-pods.js';

export interface NodeShouldRun {
  /** A daemon pod should be created on the node if it has none. */
  shouldRun: boolean;
  /** A daemon pod already on the node should keep running. */
  shouldContinueRunning: boolean;
}

const neither: NodeShouldRun = { shouldRun: false, shouldContinueRunning: false };

export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeShouldRun {
  const name = node.metadata.name!;
  const templateNode = ds.spec.template.spec.nodeName;
  if (templateNode && templateNode !== name) return neither;
  const pod = newDaemonPod(ds, name);
  if (!matchesNodeAffinity(pod, node)) return neither;
  const taints = node.spec?.taints ?? [];
  const untolerated = (effects: string[]) => taints.some((t) => effects.includes(t.effect) && !toleratesTaint(pod.spec.tolerations, t));
  if (untolerated(['NoSchedule', 'NoExecute'])) return { shouldRun: false, shouldContinueRunning: !untolerated(['NoExecute']) };
  return { shouldRun: true, shouldContinueRunning: true };
}
