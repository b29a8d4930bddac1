// Services (upstream pkg/registry/core/service): allocation of ClusterIPs and NodePorts
// happens in beginCreate/beginUpdate and is committed or reverted with the write;
// deleting a Service releases them. A type change drops the fields the new type cannot
// have unless the user set them anew (upstream dropTypeDependentFields).
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, Service } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Strategy } from '../strategy.js';
import { needsHealthCheck, type ServiceAllocator } from '../allocators/service-allocation.js';
import { defaultStrategy } from './default-strategy.js';

const externallyReachable = (svc: Service) => svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';

/** Removes fields that only the old type could have, when the update left them as they were. */
export function dropTypeDependentFields(svc: Service, old: Service): void {
  const spec = svc.spec;
  const oldSpec = old.spec;
  if (spec.type === oldSpec.type) return;
  if (spec.type === 'ExternalName' && oldSpec.type !== 'ExternalName') {
    if (isDeepStrictEqual(spec.clusterIPs, oldSpec.clusterIPs)) delete spec.clusterIPs;
    if (spec.clusterIP === oldSpec.clusterIP) delete spec.clusterIP;
    if (isDeepStrictEqual(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === oldSpec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (!externallyReachable(svc)) {
    for (const p of spec.ports ?? []) {
      const before = oldSpec.ports?.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (before && p.nodePort === before.nodePort) delete p.nodePort;
    }
    if (spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  }
  if (!needsHealthCheck(svc) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === oldSpec.loadBalancerClass) delete spec.loadBalancerClass;
  }
}

export function serviceStrategy(info: ResourceInfo, allocation: ServiceAllocator): Strategy {
  return defaultStrategy(info, {
    prepareForCreate(obj: KubeObject) {
      (obj as Service).status = { loadBalancer: {} };
    },
    prepareForUpdate(obj: KubeObject, old: KubeObject) {
      dropTypeDependentFields(obj as Service, old as Service);
    },
    beginCreate: (obj, dryRun) => allocation.beginCreate(obj as Service, { dryRun }),
    beginUpdate: (obj, old, dryRun) => allocation.beginUpdate(obj as Service, old as Service, { dryRun }),
    afterDelete: (obj) => allocation.releaseAll(obj as Service),
  });
}
