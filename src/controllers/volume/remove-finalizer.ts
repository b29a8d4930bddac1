// Removing one finalizer from an object the protection controllers release.
import { isConflict, isNotFound } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { ApiClient } from '../../client/api-client.js';
import type { ReconcileResult } from '../../client/work-queue.js';

/** Updates the object without the finalizer; gone is done, a conflict is tried again at once. */
export async function removeFinalizer(client: ApiClient, info: ResourceInfo, obj: KubeObject, finalizer: string): Promise<ReconcileResult> {
  const next = structuredClone(obj);
  next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  try {
    await client.update(info, next);
  } catch (e) {
    if (isNotFound(e)) return;
    if (isConflict(e)) return { requeueAfterMs: 0 };
    throw e;
  }
}
