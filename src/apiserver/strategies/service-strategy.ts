// Services (upstream pkg/registry/core/service): allocation of ClusterIPs and NodePorts
// happens in beginCreate/beginUpdate and is committed or reverted with the write;
// deleting a Service releases them. A type change drops the fields the new type cannot
// have unless the user set them anew (upstream dropTypeDependentFields).
import type { KubeObject, Service } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Strategy } from '../strategy.js';
import type { ServiceAllocator } from '../allocators/service-allocation.js';
import { prepareServiceForUpdate } from '../../api/defaults/index.js';
import { defaultStrategy } from './default-strategy.js';

export function serviceStrategy(info: ResourceInfo, allocation: ServiceAllocator): Strategy {
  return defaultStrategy(info, {
    prepareForCreate(obj: KubeObject) {
      (obj as Service).status = { loadBalancer: {} };
    },
    prepareForUpdate(obj: KubeObject, old: KubeObject) {
      // upstream dropTypeDependentFields: one implementation, beside the Service defaults.
      prepareServiceForUpdate(obj as Service, old as Service);
    },
    beginCreate: (obj, dryRun) => allocation.beginCreate(obj as Service, { dryRun }),
    beginUpdate: (obj, old, dryRun) => allocation.beginUpdate(obj as Service, old as Service, { dryRun }),
    afterDelete: (obj) => allocation.releaseAll(obj as Service),
  });
}
