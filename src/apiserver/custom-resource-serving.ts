// Serves custom resources as their CustomResourceDefinitions come and go (upstream
// apiextensions-apiserver's crdHandler and its discovery controller): every established CRD's
// served versions are added to the API (discovery, routing, OpenAPI) with a module built from
// the CRD, replaced when the CRD changes, and removed when it is gone. It watches the CRD
// registry itself, as upstream's handler watches CRDs through an informer.
import { customResourceInfos } from '../api/custom-resource-info.js';
import type { ResourceInfo } from '../api/resources.js';
import type { CustomResourceDefinition } from '../api/types.js';
import type { Watcher } from '../store/store.js';
import type { Logger } from '../util/logger.js';
import type { Registry } from './registry.js';
import { customResourceModule } from './resources/custom-resources.js';
import type { ResourceModule } from './resources/index.js';

export interface ResourceServer {
  serve(info: ResourceInfo, module: ResourceModule): void;
  unserve(info: ResourceInfo): void;
}

const conditionTrue = (crd: CustomResourceDefinition, type: string) => crd.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
const established = (crd: CustomResourceDefinition) => conditionTrue(crd, 'Established');

export class CustomResourceServing {
  /** What each CRD serves now, by CRD name, with the JSON it was built from (to skip no-op rebuilds). */
  private readonly served = new Map<string, { infos: ResourceInfo[]; from: string }>();
  private watcher?: Watcher;

  constructor(private readonly crds: Registry, private readonly server: ResourceServer, private readonly logger: Logger) {}

  async start(): Promise<void> {
    const list = await this.crds.list(undefined);
    for (const crd of list.items as CustomResourceDefinition[]) this.sync(crd.metadata.name!, crd);
    this.watcher = this.crds.watch(undefined, Number(list.metadata.resourceVersion), {}, (ev) => {
      const crd = ev.object as CustomResourceDefinition;
      this.sync(crd.metadata.name!, ev.type === 'DELETED' ? undefined : crd);
    });
  }

  stop(): void {
    this.watcher?.stop();
  }

  /** Serves what crd defines now (nothing when it is gone or not yet established). */
  private sync(name: string, crd: CustomResourceDefinition | undefined): void {
    const wanted = crd && established(crd) ? customResourceInfos(crd) : [];
    const terminating = crd !== undefined && conditionTrue(crd, 'Terminating');
    const from = JSON.stringify([crd?.spec, crd?.status?.acceptedNames, wanted.length > 0, terminating]);
    const current = this.served.get(name);
    if (current?.from === from) return;
    for (const info of current?.infos ?? []) this.server.unserve(info);
    for (const { info, version } of wanted) this.server.serve(info, customResourceModule(version, { group: info.group, resource: info.resource, terminating }));
    if (wanted.length) this.served.set(name, { infos: wanted.map((w) => w.info), from });
    else this.served.delete(name);
    this.logger.info('custom resources', { crd: name, serving: wanted.map((w) => w.info.version) });
  }
}
