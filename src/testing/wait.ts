// Polling for tests of asynchronous machinery (controllers, informers, node agents): tests
// wait for the state they expect instead of sleeping, and never assert on timing.
import { isNotFound } from '../api/errors.js';
import type { ResourceInfo } from '../api/resources.js';
import type { ApiClient } from '../client/api-client.js';

const defaultPollIntervalMs = 20;

/**
 * Calls fn until it returns something other than undefined, null or false, and resolves to
 * that. A throw counts as "not yet" (e.g. a NotFound before the object exists); the last one
 * is quoted if the deadline passes.
 */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  what = 'condition',
  pollIntervalMs = defaultPollIntervalMs,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, pollIntervalMs));
  }
}

/** Whether the object is gone (its get is NotFound): the condition deletion tests wait for. */
export async function isGone(client: ApiClient, info: ResourceInfo, namespace: string | undefined, name: string): Promise<boolean> {
  try {
    await client.get(info, namespace, name);
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
}
