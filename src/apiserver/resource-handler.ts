// REST verbs on resources: the one handler every resource goes through (upstream:
// apiserver/pkg/endpoints/handlers). It decodes, negotiates, calls the registry, and
// renders objects, lists, Tables and watch streams.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, orderedStatus } from '../api/errors.js';
import type { DeleteOptions, KubeObject, Scale } from '../api/types.js';
import { groupVersion, type ResourceInfo } from '../api/resources.js';
import { applyJsonPatch } from '../api/patch/json-patch.js';
import { applyMergePatch } from '../api/patch/merge-patch.js';
import { isObject } from '../api/patch/json-value.js';
import { applyStrategicMergePatch } from '../api/patch/strategic-merge-patch.js';
import { applyPatch as serverSideApply } from '../api/patch/server-side-apply.js';
import { decodeTyped } from '../api/schema/index.js';
import { addWarning, decodeBody, decodeRequestBody, mediaType, patchMediaTypes, readBody, sendJSON } from './http.js';
import type { Registry, WriteContext } from './registry.js';
import type { RequestInfo } from './request-info.js';
import { parseSelectors } from './selection.js';
import { toTable, wantsTable, type IncludeObject } from './table-convertor.js';
import { serveWatch } from './watch-handler.js';
import { formatLabelSelector, selectorFromSet, selectorString } from '../api/labels.js';
import { rfc3339 } from '../api/time.js';
import { parseResourceVersion, queryBool, queryInt64 } from '../api/query-params.js';

export interface ResourceHandlerDeps {
  registryFor(info: ResourceInfo): Registry;
  /** Admission that needs other resources (the namespace must exist and not be terminating; a pod gets its service account's pull secrets). */
  admitCreate(info: ResourceInfo, namespace: string | undefined, name: string, obj?: KubeObject): Promise<void>;
  /** Subresources served elsewhere (log, exec, attach, binding); returns true when handled. */
  subresource?(info: ResourceInfo, ri: RequestInfo, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

const patchTypes = new Set<string>(patchMediaTypes);

function writeContext(url: URL, subresource?: string): WriteContext {
  const dryRun = url.searchParams.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All')) throw ApiError.badRequest(`Invalid dry run value: ${dryRun.join(',')}`);
  return { dryRun: dryRun.length > 0, fieldManager: url.searchParams.get('fieldManager') ?? undefined, subresource };
}

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function fieldValidation(url: URL): FieldValidation {
  const mode = url.searchParams.get('fieldValidation') ?? 'Warn';
  if (mode !== 'Strict' && mode !== 'Warn' && mode !== 'Ignore') throw ApiError.badRequest(`fieldValidation parameter unsupported: ${mode}`);
  return mode;
}

interface FieldCheck {
  /** The kind the body decodes as, when not the resource's own (autoscaling/v1 Scale). */
  kindOverride?: { apiVersion: string; kind: string };
  /** Keys the JSON body repeated (the strict decoder's duplicate fields). */
  duplicates?: string[];
  /** A strategic merge patch body: its "$…" directive keys are not fields. */
  directives?: boolean;
}

/**
 * Decodes obj as its kind's Go type does under fieldValidation: unknown fields never
 * reach storage — Strict rejects them (and duplicate keys) with 400, Warn (the default)
 * drops them with a Warning header each, Ignore drops them silently. A value of the wrong
 * shape fails the decode in every mode, as the API server's transformDecodeError says.
 */
function checkFields(info: ResourceInfo, obj: unknown, url: URL, res: ServerResponse, check: FieldCheck = {}): void {
  const mode = fieldValidation(url);
  const apiVersion = check.kindOverride?.apiVersion ?? groupVersion(info);
  const kind = check.kindOverride?.kind ?? info.kind;
  const { unknown, typeError } = decodeTyped(apiVersion, kind, obj, { drop: mode !== 'Strict', directives: check.directives });
  if (typeError) {
    const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
    throw ApiError.badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${typeError}`);
  }
  if (mode === 'Ignore') return;
  const problems = [...(check.duplicates ?? []).map((p) => `duplicate field ${JSON.stringify(p)}`), ...unknown.map((p) => `unknown field ${JSON.stringify(p)}`)];
  if (!problems.length) return;
  if (mode === 'Strict') throw ApiError.badRequest(`strict decoding error: ${problems.join(', ')}`);
  for (const p of problems) addWarning(res, p);
}

function asObject(body: unknown): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw ApiError.badRequest('Object is not a valid JSON object');
  const obj = body as KubeObject;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw ApiError.badRequest('metadata must be an object');
  return obj;
}

function parseDeleteOptions(url: URL, body: Buffer): DeleteOptions {
  let opts: DeleteOptions = {};
  if (body.length && body.toString().trim()) {
    opts = asObjectLike(decodeBody(body, 'application/json')) as DeleteOptions;
  }
  const grace = queryInt64(url.searchParams, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = url.searchParams.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (url.searchParams.has('orphanDependents')) opts.orphanDependents = queryBool(url.searchParams, 'orphanDependents');
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw ApiError.invalid('', 'DeleteOptions', '', [
      { type: 'FieldValueNotSupported', field: 'propagationPolicy', badValue: opts.propagationPolicy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' },
    ]);
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    opts.gracePeriodSeconds = opts.gracePeriodSeconds < 0 ? 1 : Math.floor(opts.gracePeriodSeconds);
  }
  return opts;
}

function asObjectLike(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw ApiError.badRequest('Object is not a valid JSON object');
  return v as Record<string, unknown>;
}

function applyPatchBody(contentType: string, current: KubeObject, patch: unknown, apiVersion: string, kind: string): KubeObject {
  switch (contentType) {
    case 'application/json-patch+json':
      return asObject(applyJsonPatch(current, patch));
    case 'application/merge-patch+json':
      return asObject(applyMergePatch(current, patch));
    case 'application/strategic-merge-patch+json':
      return asObject(applyStrategicMergePatch(current, patch, apiVersion, kind));
    default:
      throw ApiError.unsupportedMediaType(patchMediaTypes);
  }
}

function toScale(obj: KubeObject): Scale {
  const spec = obj.spec as { replicas?: number; selector?: Parameters<typeof formatLabelSelector>[0] };
  const status = (obj.status ?? {}) as { replicas?: number };
  // A ReplicationController's selector is a plain label map (its Scale shows it as a
  // selector string, upstream labels.SelectorFromSet(rc.Spec.Selector).String()); the others
  // carry a LabelSelector. A minimal local rule until scale becomes a per-resource strategy.
  const selector =
    obj.kind === 'ReplicationController' ? selectorString(selectorFromSet(spec.selector as Record<string, string> | undefined)) : formatLabelSelector(spec.selector);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selector === '<none>' ? '' : selector },
  };
}

function fromScale(obj: KubeObject, scale: KubeObject, info: ResourceInfo): KubeObject {
  const s = scale as Scale;
  const replicas = s.spec?.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
    throw ApiError.invalid('autoscaling', 'Scale', obj.metadata.name ?? '', [
      { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' },
    ]);
  }
  if (s.metadata?.resourceVersion && s.metadata.resourceVersion !== obj.metadata.resourceVersion) {
    throw ApiError.conflict({ group: info.group, resource: info.resource }, obj.metadata.name ?? '', 'the object has been modified; please apply your changes to the latest version and try again');
  }
  const next = structuredClone(obj);
  (next.spec as { replicas?: number }).replicas = replicas ?? 0;
  return next;
}

export async function handleResource(
  deps: ResourceHandlerDeps,
  info: ResourceInfo,
  ri: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const registry = deps.registryFor(info);
  if (info.deprecationWarning) addWarning(res, info.deprecationWarning);
  const method = req.method ?? 'GET';
  const namespace = info.namespaced ? ri.namespace : undefined;
  const sub = ri.subresource;
  // status, scale and the subresources with a strategy of their own go through the generic verbs.
  if (sub && sub !== 'status' && sub !== 'scale' && !registry.strategy.subresources?.[sub]) {
    if (deps.subresource && (await deps.subresource(info, ri, req, res, url))) return;
    throw ApiError.notFound({ group: info.group, resource: `${info.resource}/${sub}` }, ri.name ?? '');
  }
  if (sub && !info.subresources.some((s) => s.name === sub)) {
    throw ApiError.notFound({ group: info.group, resource: info.resource }, ri.name ?? '');
  }
  const accept = req.headers.accept;

  // Collection requests.
  if (!ri.name) {
    if (method === 'GET') {
      const selectors = parseSelectors(registry.strategy.fieldSelectors, url.searchParams.get('labelSelector'), url.searchParams.get('fieldSelector'));
      if (queryBool(url.searchParams, 'watch')) {
        await serveWatch(registry, namespace, selectors, url, req, res);
        return;
      }
      const limit = queryInt64(url.searchParams, 'limit') ?? 0;
      parseResourceVersion(url.searchParams.get('resourceVersion') ?? '');
      const list = await registry.list(namespace, {
        ...selectors,
        limit,
        continueToken: url.searchParams.get('continue') ?? undefined,
        resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
      });
      if (wantsTable(accept)) {
        sendJSON(
          res,
          200,
          toTable(info.kind, list.items, {
            accept,
            includeObject: (url.searchParams.get('includeObject') as IncludeObject) ?? undefined,
            resourceVersion: list.metadata.resourceVersion,
            continueToken: list.metadata.continue,
            remainingItemCount: list.metadata.remainingItemCount,
          }),
        );
      } else {
        // Items in a list carry no apiVersion/kind upstream.
        sendJSON(res, 200, { ...list, items: list.items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest) });
      }
      return;
    }
    if (method === 'POST') {
      const ctx = writeContext(url);
      const decoded = decodeRequestBody(await readBody(req), req.headers['content-type']);
      const body = asObject(decoded.value);
      checkFields(info, body, url, res, { duplicates: decoded.duplicates });
      await deps.admitCreate(info, namespace, body.metadata.name ?? body.metadata.generateName ?? '', body);
      const created = await registry.create(namespace, body, ctx);
      sendJSON(res, 201, created);
      return;
    }
    if (method === 'DELETE') {
      if (!info.verbs.includes('deletecollection')) throw ApiError.methodNotSupported({ group: info.group, resource: info.resource }, 'deletecollection');
      const ctx = writeContext(url);
      const opts = parseDeleteOptions(url, await readBody(req));
      const selectors = parseSelectors(registry.strategy.fieldSelectors, url.searchParams.get('labelSelector'), url.searchParams.get('fieldSelector'));
      const list = await registry.deleteCollection(namespace, selectors, opts, ctx);
      sendJSON(res, 200, list);
      return;
    }
    throw ApiError.methodNotSupported({ group: info.group, resource: info.resource }, method.toLowerCase());
  }

  const name = ri.name;
  if (method === 'GET') {
    const obj = await registry.get(namespace, name);
    if (sub === 'scale') {
      sendJSON(res, 200, toScale(obj));
      return;
    }
    if (wantsTable(accept)) {
      sendJSON(res, 200, toTable(info.kind, [obj], { accept, includeObject: (url.searchParams.get('includeObject') as IncludeObject) ?? undefined, resourceVersion: obj.metadata.resourceVersion }));
      return;
    }
    sendJSON(res, 200, obj);
    return;
  }

  if (method === 'PUT') {
    const ctx = writeContext(url, sub);
    const decoded = decodeRequestBody(await readBody(req), req.headers['content-type']);
    const body = asObject(decoded.value);
    if (sub === 'scale') {
      checkFields(info, body, url, res, { kindOverride: { apiVersion: 'autoscaling/v1', kind: 'Scale' }, duplicates: decoded.duplicates });
      const { object } = await registry.update(namespace, name, (cur) => {
        if (!cur) throw ApiError.notFound({ group: info.group, resource: info.resource }, name);
        return fromScale(cur, body, info);
      }, { ...ctx, subresource: undefined });
      sendJSON(res, 200, toScale(object));
      return;
    }
    checkFields(info, body, url, res, { duplicates: decoded.duplicates });
    if (body.metadata.name !== undefined && body.metadata.name !== name) {
      throw ApiError.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (registry.strategy.allowCreateOnUpdate && !sub && !(await registry.tryGet(namespace, name))) {
      await deps.admitCreate(info, namespace, name);
    }
    const { object, created } = await registry.update(namespace, name, () => body, ctx);
    sendJSON(res, created ? 201 : 200, sub === 'scale' ? toScale(object) : object);
    return;
  }

  if (method === 'PATCH') {
    const ctx = writeContext(url, sub);
    const contentType = mediaType(req.headers['content-type']);
    if (!patchTypes.has(contentType)) throw ApiError.unsupportedMediaType(patchMediaTypes);
    const decoded = decodeRequestBody(await readBody(req), contentType);
    const patch = decoded.value;
    const apiVersion = sub === 'scale' ? 'autoscaling/v1' : groupVersion(info);
    const kind = sub === 'scale' ? 'Scale' : info.kind;
    const kindOverride = { apiVersion, kind };
    if (contentType === 'application/apply-patch+yaml') {
      const applied = asObject(patch);
      if (!ctx.fieldManager) throw ApiError.badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      checkFields(info, applied, url, res, { kindOverride, duplicates: decoded.duplicates });
      const force = queryBool(url.searchParams, 'force');
      const live = await registry.tryGet(namespace, name);
      if (!live) await deps.admitCreate(info, namespace, name);
      const { object, created } = await registry.update(
        namespace,
        name,
        (cur) => {
          if (sub === 'scale') {
            if (!cur) throw ApiError.notFound({ group: info.group, resource: info.resource }, name);
            const scaled = serverSideApply(toScale(cur), applied, ctx.fieldManager!, force, rfc3339(new Date()));
            return fromScale(cur, scaled, info);
          }
          return serverSideApply(cur, applied, ctx.fieldManager!, force, rfc3339(new Date()));
        },
        { ...ctx, operation: 'Apply', subresource: sub === 'scale' ? undefined : sub },
        true,
      );
      sendJSON(res, created ? 201 : 200, sub === 'scale' ? toScale(object) : object);
      return;
    }
    // A merge or strategic merge patch is shaped like the object: its unknown fields are
    // reported and dropped before it is applied (the patched object would lose them
    // anyway), so the patch code never walks what the schema does not declare.
    if (contentType !== 'application/json-patch+json' && isObject(patch)) {
      checkFields(info, patch, url, res, { kindOverride, duplicates: decoded.duplicates, directives: contentType === 'application/strategic-merge-patch+json' });
    }
    const { object } = await registry.update(
      namespace,
      name,
      (cur) => {
        if (!cur) throw ApiError.notFound({ group: info.group, resource: info.resource }, name);
        if (sub === 'scale') {
          const patched = applyPatchBody(contentType, toScale(cur), patch, apiVersion, kind);
          return fromScale(cur, patched, info);
        }
        const patched = applyPatchBody(contentType, cur, patch, apiVersion, kind);
        checkFields(info, patched, url, res);
        // A patch that does not name a resourceVersion applies to whatever is current.
        const named = (patch as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
        if (!named) patched.metadata.resourceVersion = cur.metadata.resourceVersion;
        return patched;
      },
      { ...ctx, subresource: sub === 'scale' ? undefined : sub },
      true,
    );
    sendJSON(res, 200, sub === 'scale' ? toScale(object) : object);
    return;
  }

  if (method === 'DELETE') {
    if (sub) throw ApiError.methodNotSupported({ group: info.group, resource: `${info.resource}/${sub}` }, 'delete');
    const ctx = writeContext(url);
    const opts = parseDeleteOptions(url, await readBody(req));
    const { object, removed } = await registry.delete(namespace, name, opts, ctx);
    if (removed && !registry.strategy.returnDeletedObject) {
      sendJSON(
        res,
        200,
        orderedStatus({ status: 'Success', details: { name, group: info.group, kind: info.resource, uid: object.metadata.uid } }),
      );
      return;
    }
    sendJSON(res, 200, object);
    return;
  }

  throw ApiError.methodNotSupported({ group: info.group, resource: info.resource }, method.toLowerCase());
}
