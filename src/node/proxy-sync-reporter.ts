// kanzen's zero-loss termination, part 1 (beyond Kubernetes: kubernetes#43576, #86280).
// Each node's proxy publishes how far it has programmed EndpointSlices, as an annotation on
// its Node: `kanzen.io/proxy-endpointslices-rv: <revision>`. A kubelet about to stop a pod
// (endpoint-drain.ts) waits until every Ready node reports a revision at or past the slice
// write that took the pod out of rotation; only then does the pod get its stop signal.
//
// Level-triggered and cheap: the desired value is the proxy's applied revision; a merge
// patch of the Node's metadata is sent when the value differs from what this reporter last
// wrote or from what the Node (seen through an informer) carries. One patch in flight at a
// time; later revisions coalesce into the next patch. The same patch carries the proxy's
// mode (`kanzen.io/proxy-mode: nftables|userspace`, proxy-mode.ts) for `kanzen status`.
import type { Node } from '../api/types.js';
import { isNotFound } from '../api/errors.js';
import { resourceFor, type ApiClient } from '../client/api-client.js';
import type { Informer } from '../client/informer.js';
import type { Logger } from '../util/logger.js';
import { proxyModeAnnotation, type ProxyMode } from '../proxy/proxy-mode.js';

export const proxySyncAnnotation = 'kanzen.io/proxy-endpointslices-rv';

const nodesInfo = resourceFor('nodes');

/** What the reporter needs from a proxy (Proxier implements it). */
export interface ProxySyncSource {
  appliedEndpointSlicesResourceVersion(): string;
  onSynced(fn: (appliedSlicesRV: string) => void): () => void;
}

export interface ProxySyncReporterOptions {
  client: ApiClient;
  nodeName: string;
  proxy: ProxySyncSource;
  /** The backend the proxy runs, published beside its progress. */
  proxyMode?: ProxyMode;
  /** The cluster's Nodes (shared informer): a Node that lost the annotation gets it back. */
  nodes?: Informer<Node>;
  /** Pause between two patches (default 0: a waiting kubelet wants the news at once). */
  minIntervalMs?: number;
  /** How soon a failed patch is retried (default 1 s). */
  retryMs?: number;
  logger: Logger;
}

export class ProxySyncReporter {
  private written = '';
  private inFlight = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private unsubscribe?: () => void;

  constructor(private readonly opts: ProxySyncReporterOptions) {}

  start(): void {
    this.unsubscribe = this.opts.proxy.onSynced(() => this.kick());
    this.opts.nodes?.addHandlers({
      add: (n) => this.onNode(n),
      update: (_old, n) => this.onNode(n),
    });
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
  }

  /** The revision this reporter last wrote to its Node ('' before the first write). */
  reported(): string {
    return this.written;
  }

  private onNode(n: Node): void {
    if (n.metadata.name !== this.opts.nodeName) return;
    const onNode = n.metadata.annotations?.[proxySyncAnnotation] ?? '';
    const modeLost = this.opts.proxyMode !== undefined && n.metadata.annotations?.[proxyModeAnnotation] !== this.opts.proxyMode;
    // Someone (a re-registration, a user) removed or changed an annotation: write them again.
    if (!this.inFlight && (onNode !== this.written || modeLost)) {
      this.written = modeLost ? '' : onNode;
      this.kick();
    }
  }

  private kick(): void {
    if (this.stopped || this.inFlight || this.timer) return;
    const desired = this.opts.proxy.appliedEndpointSlicesResourceVersion();
    if (!desired || desired === this.written) return;
    this.inFlight = true;
    void this.patch(desired).then((ok) => {
      this.inFlight = false;
      if (this.stopped) return;
      const wait = ok ? (this.opts.minIntervalMs ?? 0) : (this.opts.retryMs ?? 1000);
      if (wait <= 0) return this.kick();
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, wait);
      this.timer.unref?.();
    });
  }

  private async patch(rv: string): Promise<boolean> {
    try {
      await this.opts.client.patch<Node>(nodesInfo, undefined, this.opts.nodeName, 'merge', { metadata: { annotations: { [proxySyncAnnotation]: rv, ...(this.opts.proxyMode ? { [proxyModeAnnotation]: this.opts.proxyMode } : {}) } } });
      this.written = rv;
      return true;
    } catch (e) {
      if (!isNotFound(e)) this.opts.logger.warn('proxy sync not reported', { node: this.opts.nodeName, rv, err: e });
      return false;
    }
  }
}
