// The autoscaler's target through its scale subresource (upstream client-go/scale with the REST
// mapper, as horizontal.go uses them): the scaleTargetRef's group and kind map to the served
// resources of that kind (any version, built-in or custom), each tried in turn for its Scale.
import type { Scale } from '../../api/types.js';
import { ApiError } from '../../api/errors.js';
import { resources, type ResourceInfo } from '../../api/resources.js';
import type { ApiClient } from '../../client/api-client.js';

/** schema.ParseGroupVersion's group: "apps/v1" → apps, "v1" → core (""). */
export function groupOfAPIVersion(apiVersion: string | undefined): string {
  const v = apiVersion ?? '';
  if (v === '' || v === '/') return '';
  const parts = v.split('/');
  if (parts.length === 1) return '';
  if (parts.length === 2) return parts[0];
  throw new Error(`unexpected GroupVersion string: ${v}`);
}

/** RESTMappings(groupKind): the served resources of the kind, the preferred (first listed) version first. */
export function scaleMappings(group: string, kind: string): ResourceInfo[] {
  const found = resources.filter((r) => r.group === group && r.kind === kind);
  if (found.length === 0) throw new Error(`no matches for kind "${kind}" in group "${group}"`);
  return found;
}

/** scaleForResourceMappings: the first mapping whose Scale can be read; else the first mapping's error. */
export async function getScale(client: ApiClient, mappings: ResourceInfo[], namespace: string, name: string): Promise<{ scale: Scale; info: ResourceInfo }> {
  let firstErr: unknown;
  for (const info of mappings) {
    try {
      return { scale: await client.get<Scale>(info, namespace, name, 'scale'), info };
    } catch (e) {
      firstErr ??= e;
    }
  }
  throw firstErr ?? new Error('unrecognized resource');
}

/** Writes spec.replicas, re-reading the Scale on a conflict (retry.RetryOnConflict with DefaultRetry: 5 tries). */
export async function updateScale(client: ApiClient, info: ResourceInfo, scale: Scale, replicas: number): Promise<void> {
  let current = scale;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.update<Scale>(info, { ...current, spec: { ...current.spec, replicas } }, 'scale');
      return;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409) || attempt >= 5) throw e;
      current = await client.get<Scale>(info, current.metadata.namespace, current.metadata.name!, 'scale').catch(() => current);
    }
  }
}
