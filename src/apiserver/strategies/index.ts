// Picks each resource's strategy.
import type { ResourceInfo } from '../../api/resources.js';
import type { Strategy } from '../strategy.js';
import type { ServiceAllocator } from '../allocators/service-allocation.js';
import { defaultStrategy } from './default-strategy.js';
import { namespaceStrategy } from './namespace-strategy.js';
import { podStrategy } from './pod-strategy.js';
import { serviceStrategy } from './service-strategy.js';

export interface StrategyDeps {
  serviceAllocation: ServiceAllocator;
  /** ServiceAccount admission mounts a token in new pods (only when the server issues tokens). */
  mountServiceAccountTokens: boolean;
}

export function strategyFor(info: ResourceInfo, deps: StrategyDeps): Strategy {
  switch (info.kind) {
    case 'Pod':
      return podStrategy(info, deps.mountServiceAccountTokens);
    case 'Service':
      return serviceStrategy(info, deps.serviceAllocation);
    case 'Namespace':
      return namespaceStrategy(info);
    default:
      return defaultStrategy(info);
  }
}
