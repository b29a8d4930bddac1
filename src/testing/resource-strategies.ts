// The strategy the API server uses for a kind, built as server.ts builds it (with a real
// Service allocator), for unit tests of the resource modules.
import { findKind } from '../api/resources.js';
import { ClusterIPAllocator } from '../apiserver/allocators/clusterip-allocator.js';
import { NodePortAllocator } from '../apiserver/allocators/nodeport-allocator.js';
import { ServiceAllocator } from '../apiserver/allocators/service-allocation.js';
import { strategyFor } from '../apiserver/resources/index.js';
import type { Strategy } from '../apiserver/strategy.js';

export function strategyOfKind(kind: string): Strategy {
  const info = findKind(kind);
  if (!info) throw new Error(`no served kind ${kind}`);
  return strategyFor(info, { serviceAllocation: new ServiceAllocator(new ClusterIPAllocator(), new NodePortAllocator()), mountServiceAccountTokens: false });
}
