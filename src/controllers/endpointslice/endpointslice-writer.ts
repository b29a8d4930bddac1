// Writing a slice plan, shared by the EndpointSlice and mirroring controllers (upstream: the
// finalize step of both reconcilers): creates, then updates, then deletes, each write noted
// in the tracker so its echo from the informer is not mistaken for someone else's change.
import { isNotFound } from '../../api/errors.js';
import type { EndpointSlice } from '../../api/types.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import { isNamespaceTerminating, type EndpointSliceTracker } from '../endpoint-util.js';
import { toWire } from './endpointslice-reconciler.js';

const slicesInfo = resourceFor('endpointslices', 'discovery.k8s.io');

export interface SlicePlan {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
}

export async function writeEndpointSlices(client: ApiClient, tracker: EndpointSliceTracker, plan: SlicePlan): Promise<void> {
  for (const s of plan.toCreate) {
    try {
      tracker.update(await client.create<EndpointSlice>(slicesInfo, s.metadata.namespace, toWire(s)));
    } catch (e) {
      // A terminating namespace refuses creates for good: drop the plan, as upstream.
      if (isNamespaceTerminating(e)) return;
      throw e;
    }
  }
  for (const s of plan.toUpdate) tracker.update(await client.update<EndpointSlice>(slicesInfo, toWire(s)));
  for (const s of plan.toDelete) {
    try {
      await client.delete(slicesInfo, s.metadata.namespace, s.metadata.name!);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    tracker.expectDeletion(s);
  }
}
