// The registry of a resource whose objects are computed on request and never stored (upstream:
// a REST that is only a Getter and a Lister, as metrics-server's NodeMetrics and PodMetrics).
// get and list answer from the module's source, with label and field selectors applied as the
// stored registry applies them; the verbs the resource table leaves out are refused before this.
import { ApiError } from '../api/errors.js';
import { groupVersion } from '../api/resources.js';
import type { KubeList, KubeObject } from '../api/types.js';
import { Registry, type ListOptions } from './registry.js';
import { matchesSelectors } from './selection.js';

/** The objects of a namespace (all namespaces when undefined), as they are now. */
export type ComputedSource = (namespace: string | undefined) => Promise<KubeObject[]>;

export class ComputedRegistry extends Registry {
  constructor(
    base: Registry,
    private readonly source: ComputedSource,
  ) {
    // No store: every path that would reach it (writes, watch) is refused below or by the verbs.
    super(base.info, base.strategy, undefined as never, () => undefined);
  }

  override watch(): never {
    throw ApiError.methodNotSupported(this.gr, 'watch');
  }

  override async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const obj = await this.tryGet(namespace, name);
    if (!obj) throw ApiError.notFound(this.gr, name);
    return obj;
  }

  override async tryGet(namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    return (await this.source(this.info.namespaced ? namespace : undefined)).find((o) => o.metadata.name === name);
  }

  override async list(namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList> {
    const items = (await this.source(namespace)).filter((o) => matchesSelectors(this.strategy.fieldSelectors, this.info.namespaced, o, opts));
    items.sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
    return { apiVersion: groupVersion(this.info), kind: this.info.listKind, metadata: { resourceVersion: '' }, items };
  }
}
