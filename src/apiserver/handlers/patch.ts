// PATCH of one object or subresource (upstream: handlers/patch.go PatchResource): JSON
// patch, merge patch, strategic merge patch, or server-side apply, applied to the current
// object (re-applied on a conflict) as the storage shows it.
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { queryBool } from '../../api/query-params.js';
import { applyJsonPatch } from '../../api/patch/json-patch.js';
import { applyMergePatch } from '../../api/patch/merge-patch.js';
import { isObject } from '../../api/patch/json-value.js';
import { applyStrategicMergePatch } from '../../api/patch/strategic-merge-patch.js';
import { applyPatch as serverSideApply } from '../../api/patch/server-side-apply.js';
import { rfc3339 } from '../../api/time.js';
import { mediaType, patchMediaTypes, requestBody, sendObject } from '../http.js';
import type { WriteContext } from '../registry.js';
import { checkFields, type BodyKind } from './field-validation.js';
import { asObject } from './object-body.js';
import type { ItemScope } from './request-scope.js';
import { writeContext } from './write-context.js';
import { resourceModule } from '../resources/index.js';

const patchTypes = new Set<string>(patchMediaTypes);
const applyPatchType = 'application/apply-patch+yaml';

export async function patchResource(scope: ItemScope): Promise<void> {
  const { req, url, subresource } = scope;
  const ctx = writeContext(url, subresource, scope.user);
  const contentType = mediaType(req.headers['content-type']);
  const accepted = resourceModule(scope.info).patchTypes ?? patchMediaTypes;
  if (!patchTypes.has(contentType) || !accepted.includes(contentType)) throw ApiError.unsupportedMediaType(accepted);
  const decoded = await requestBody(req, contentType);
  if (contentType === applyPatchType) return apply(scope, ctx, asObject(decoded.value), decoded.duplicates);
  return patch(scope, ctx, contentType, decoded.value, decoded.duplicates);
}

/** Server-side apply: the applied configuration merged in under ctx.fieldManager; may create. */
async function apply({ deps, info, namespace, name, storage, res, url }: ItemScope, ctx: WriteContext, applied: KubeObject, duplicates: string[]): Promise<void> {
  const fieldManager = ctx.fieldManager;
  if (!fieldManager) throw ApiError.badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  checkFields(storage.bodyKind, applied, url, res, { duplicates });
  const force = queryBool(url.searchParams, 'force');
  const applyTo = (cur: KubeObject | undefined) => serverSideApply(cur, applied, fieldManager, force, rfc3339(new Date()));
  // An apply that creates goes through create admission with the object it creates, as
  // upstream's patcher admits the applied object (a claim gets the default class).
  let fresh: KubeObject | undefined;
  if (!(await storage.exists())) {
    fresh = applyTo(undefined);
    await deps.admitCreate(info, namespace, name, fresh, ctx.dryRun);
  }
  const { object, created } = await storage.update((cur) => (cur || !fresh ? applyTo(cur) : fresh), { ...ctx, operation: 'Apply' }, true);
  sendObject(res, created ? 201 : 200, object);
}

async function patch({ info, name, storage, res, url }: ItemScope, ctx: WriteContext, contentType: string, body: unknown, duplicates: string[]): Promise<void> {
  // A merge or strategic merge patch is shaped like the object: its unknown fields are
  // reported and dropped before it is applied (the patched object would lose them
  // anyway), so the patch code never walks what the schema does not declare.
  if (contentType !== 'application/json-patch+json' && isObject(body)) {
    checkFields(storage.bodyKind, body, url, res, { duplicates, directives: contentType === 'application/strategic-merge-patch+json' });
  }
  const { object } = await storage.update(
    (cur) => {
      if (!cur) throw ApiError.notFound({ group: info.group, resource: info.resource }, name);
      const patched = applyPatchBody(contentType, cur, body, storage.bodyKind);
      checkFields(storage.bodyKind, patched, url, res);
      // A patch that does not name a resourceVersion applies to whatever is current.
      const named = (body as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
      if (!named) patched.metadata.resourceVersion = cur.metadata.resourceVersion;
      return patched;
    },
    ctx,
    true,
  );
  sendObject(res, 200, object);
}

function applyPatchBody(contentType: string, current: KubeObject, patch: unknown, as: BodyKind): KubeObject {
  switch (contentType) {
    case 'application/json-patch+json':
      return asObject(applyJsonPatch(current, patch));
    case 'application/merge-patch+json':
      return asObject(applyMergePatch(current, patch));
    case 'application/strategic-merge-patch+json':
      return asObject(applyStrategicMergePatch(current, patch, as.apiVersion, as.kind));
    default:
      throw ApiError.unsupportedMediaType(patchMediaTypes);
  }
}
