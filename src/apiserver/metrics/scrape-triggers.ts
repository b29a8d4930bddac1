// What makes the metrics scraper read the nodes before its next resolution: a pod that starts
// running (its containers appear in its node's /metrics/resource) and a node that joins. Events
// within batchDelayMs share one read, so a rollout of many pods costs a few reads, not one each.
import type { Node, Pod } from '../../api/types.js';
import type { Watcher } from '../../store/store.js';
import type { Registry } from '../registry.js';

const batchDelayMs = 100;

export async function watchScrapeTriggers(pods: Registry, nodes: Registry, requestScrape: (delayMs: number) => void): Promise<Watcher[]> {
  /** Pods seen running, by uid: each triggers one read, when it starts. */
  const running = new Set<string>();
  const rvOf = async (reg: Registry) => Number((await reg.list(undefined, { limit: 1 })).metadata.resourceVersion);
  const podWatch = pods.watch(undefined, await rvOf(pods), {}, (ev) => {
    const pod = ev.object as Pod;
    const uid = pod.metadata.uid ?? '';
    if (ev.type === 'DELETED') running.delete(uid);
    else if (pod.status?.phase === 'Running' && !running.has(uid)) {
      running.add(uid);
      requestScrape(batchDelayMs);
    }
  });
  const nodeWatch = nodes.watch(undefined, await rvOf(nodes), {}, (ev) => {
    if (ev.type === 'ADDED' && (ev.object as Node).metadata.name) requestScrape(batchDelayMs);
  });
  return [podWatch, nodeWatch];
}
