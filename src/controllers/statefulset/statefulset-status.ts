// StatefulSetStatusUpdater (upstream stateful_set_status_updater.go): writes a set's status,
// retrying a conflict on the latest copy from the cache.
import type { StatefulSet, StatefulSetStatus } from '../../api/types.js';
import { isConflict } from '../../api/errors.js';
import { resourceFor, type ApiClient } from '../../client/api-client.js';
import type { Informer } from '../../client/informer.js';
import { serialisedStatefulSetStatus } from './statefulset-utils.js';

export const statefulSetsResource = resourceFor('statefulsets', 'apps');

/** Attempts on conflict (retry.DefaultRetry's steps). */
const attempts = 5;

export async function updateStatefulSetStatus(client: ApiClient, sets: Informer<StatefulSet>, set: StatefulSet, status: StatefulSetStatus): Promise<void> {
  let copy = structuredClone(set);
  for (let attempt = 1; ; attempt++) {
    copy.status = serialisedStatefulSetStatus(status);
    try {
      await client.updateStatus(statefulSetsResource, copy);
      return;
    } catch (e) {
      if (!isConflict(e) || attempt >= attempts) throw e;
      const fresh = sets.getByName(set.metadata.namespace, set.metadata.name!);
      copy = structuredClone(fresh && fresh.metadata.resourceVersion !== copy.metadata.resourceVersion ? fresh : await client.get<StatefulSet>(statefulSetsResource, set.metadata.namespace, set.metadata.name!));
    }
  }
}
