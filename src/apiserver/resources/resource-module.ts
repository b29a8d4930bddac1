// One module per served resource (upstream: pkg/registry/<group>/<resource>): its
// defaulting and its strategy (validation, create/update preparation, status reset,
// subresource strategies, field selectors). The table in index.ts maps each kind to its
// module; the generic registry and handlers look behaviour up there and nowhere else.
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { ServiceAllocator } from '../allocators/service-allocation.js';
import type { Strategy } from '../strategy.js';

/** What strategies may need from the server they run in. */
export interface StrategyDeps {
  serviceAllocation: ServiceAllocator;
  /** ServiceAccount admission mounts a token in new pods (only when the server issues tokens). */
  mountServiceAccountTokens: boolean;
}

export interface ResourceModule {
  /**
   * Scheme defaulting plus the defaulting admission plugins, run before validation on
   * create and update (after the generic metadata defaults).
   */
  defaults?(obj: KubeObject): void;
  strategy(info: ResourceInfo, deps: StrategyDeps): Strategy;
}
