// OpenAPI documents generated from the resource table and the field schema.
//
// kubectl decides between client-side and server-side validation from these: for a
// kind whose PATCH operation carries x-kubernetes-group-version-kind and a
// fieldValidation query parameter, it sends fieldValidation=Strict and lets the server
// reject unknown fields (cli-runtime QueryParamVerifier). kubectl 1.29+ reads
// /openapi/v3 (JSON); 1.27 and 1.28 read only /openapi/v2 as gnostic protobuf.
// kubectl explain (1.27+) reads components.schemas from the v3 documents.
import { createHash } from 'node:crypto';
import { onResourcesChanged, resources, type ResourceInfo } from '../api/resources.js';
import {
  allDefinitions,
  definitionDocs,
  definitionEnums,
  definitionName,
  isList,
  isMap,
  isRef,
  servedKinds,
  type Definition,
  type FieldType,
  type GroupVersionKind,
} from '../api/schema/index.js';
import { encodeOpenAPIv2Document } from './openapi-v2-proto.js';
import { customResourcePatchTypes } from './resources/custom-resources.js';
import { customResourceDependencies, customResourceModelName, customResourceSchemas, type OpenAPIStyle } from './custom-resource-openapi.js';
import { goJSON } from '../util/go-json.js';

/** kube-openapi's handler answers both Accept spellings with this Content-Type. */
export const openapiV2ProtobufContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
export const openapiV2ProtobufAcceptTypes = [
  'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
  openapiV2ProtobufContentType,
];

const kubernetesVersion = 'v1.33.0';

type JsonObject = Record<string, unknown>;

// ---- operations shared by v2 and v3 -------------------------------------------------

type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete';
const httpMethod: Record<Action, 'get' | 'post' | 'put' | 'patch' | 'delete'> = {
  get: 'get',
  list: 'get',
  post: 'post',
  put: 'put',
  patch: 'patch',
  delete: 'delete',
};

interface Operation {
  action: Action;
  gvk: GroupVersionKind;
  operationId: string;
  /** The definition the response (and, except for patch, the body) is. */
  responseDefinition: string;
  /** Patch types a custom resource accepts (no strategic merge: kubectl 1.28+ sends one where the document offers it). */
  patchTypes?: string[];
}

interface PathSpec {
  path: string;
  pathParams: string[];
  operations: Operation[];
}

/** Query parameters upstream documents for writes; fieldValidation is the one kubectl looks for. */
const writeQueryParams: { name: string; description: string }[] = [
  { name: 'dryRun', description: 'When present, indicates that modifications should not be persisted.' },
  { name: 'fieldManager', description: 'fieldManager is a name associated with the actor or entity that is making these changes.' },
  {
    name: 'fieldValidation',
    description:
      'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  },
];
const patchOnlyQueryParams = [{ name: 'force', description: 'Force is going to "force" Apply requests.' }];

function groupTag(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  const g = r.group === '' ? 'core' : r.group.split('.')[0];
  return `${g}${r.version[0].toUpperCase()}${r.version.slice(1)}`;
}

function operationId(verb: string, r: ResourceInfo, suffix = ''): string {
  const g = groupTag(r);
  const scope = r.namespaced ? 'Namespaced' : '';
  return `${verb}${g[0].toUpperCase()}${g.slice(1)}${scope}${r.kind}${suffix}`;
}

/** The definition a served kind is published under: a custom kind's is named after its group reversed. */
function modelName(r: ResourceInfo, kind: string): string {
  return r.custom ? customResourceModelName(r.group, r.version, kind) : definitionName({ group: r.group, version: r.version, kind });
}

function pathsFor(r: ResourceInfo): PathSpec[] {
  const prefix = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const scope = r.namespaced ? '/namespaces/{namespace}' : '';
  const collection = `${prefix}${scope}/${r.resource}`;
  const scopeParams = r.namespaced ? ['namespace'] : [];
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const def = modelName(r, r.kind);
  const has = (verb: string) => r.verbs.includes(verb);
  const ops = (list: [Action, string, boolean][], target: GroupVersionKind, resp: string): Operation[] =>
    list.filter(([, , ok]) => ok).map(([action, id]) => ({ action, gvk: target, operationId: id, responseDefinition: resp }));

  const out: PathSpec[] = [
    {
      path: collection,
      pathParams: scopeParams,
      operations: ops(
        [
          ['list', operationId('list', r), has('list')],
          ['post', operationId('create', r), has('create')],
        ],
        gvk,
        def,
      ).map((o) => (o.action === 'list' ? { ...o, responseDefinition: modelName(r, r.listKind) } : o)),
    },
    {
      path: `${collection}/{name}`,
      pathParams: [...scopeParams, 'name'],
      operations: ops(
        [
          ['get', operationId('read', r), has('get')],
          ['put', operationId('replace', r), has('update')],
          ['patch', operationId('patch', r), has('patch')],
          ['delete', operationId('delete', r), has('delete')],
        ],
        gvk,
        def,
      ),
    },
  ];
  for (const s of r.subresources) {
    if (s.name === 'eviction') {
      // POST only: createCoreV1NamespacedPodEviction, body and answer a policy/v1 Eviction.
      const target = { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind };
      out.push({
        path: `${collection}/{name}/eviction`,
        pathParams: [...scopeParams, 'name'],
        operations: ops([['post', operationId('create', r, 'Eviction'), s.verbs.includes('create')]], target, definitionName(target)),
      });
      continue;
    }
    if (s.name !== 'status' && s.name !== 'scale' && s.name !== 'ephemeralcontainers') continue;
    const target = s.group !== undefined ? { group: s.group, version: s.version ?? 'v1', kind: s.kind } : gvk;
    // readCoreV1NamespacedPodStatus, …Scale, …Ephemeralcontainers
    const suffix = s.name.charAt(0).toUpperCase() + s.name.slice(1);
    out.push({
      path: `${collection}/{name}/${s.name}`,
      pathParams: [...scopeParams, 'name'],
      operations: ops(
        [
          ['get', operationId('read', r, suffix), s.verbs.includes('get')],
          ['put', operationId('replace', r, suffix), s.verbs.includes('update')],
          ['patch', operationId('patch', r, suffix), s.verbs.includes('patch')],
        ],
        target,
        definitionName(target),
      ),
    });
  }
  const served = out.filter((p) => p.operations.length > 0);
  if (!r.custom) return served;
  return served.map((p) => ({ ...p, operations: p.operations.map((o) => (o.action === 'patch' ? { ...o, patchTypes: [...customResourcePatchTypes].sort() } : o)) }));
}

function queryParamsFor(action: Action): { name: string; description: string }[] {
  if (action === 'patch') return [...writeQueryParams, ...patchOnlyQueryParams];
  if (action === 'post' || action === 'put') return writeQueryParams;
  return [];
}

/** Definitions reachable from the given roots, in a stable order. */
function closure(roots: string[]): string[] {
  const defs = allDefinitions();
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !defs[name]) return;
    seen.add(name);
    for (const t of Object.values(defs[name].properties)) visitType(t);
  };
  const visitType = (t: FieldType): void => {
    if (isRef(t)) visit(t.ref);
    else if (isList(t)) visitType(t.list);
    else if (isMap(t)) visitType(t.map);
  };
  roots.forEach(visit);
  return [...seen].sort();
}

function gvkByDefinition(): Map<string, GroupVersionKind> {
  const m = new Map<string, GroupVersionKind>();
  for (const k of servedKinds()) m.set(definitionName(k.gvk), k.gvk);
  return m;
}

// ---- schemas ----------------------------------------------------------------------

type RefStyle = OpenAPIStyle;

/** The definitions of the given resources: the field schema's closure over roots, and each custom resource's own. */
function definitionsFor(served: ResourceInfo[], roots: string[], style: RefStyle): JsonObject {
  const custom = served.filter((r) => r.custom);
  const gvks = gvkByDefinition();
  const defs = allDefinitions();
  const out: JsonObject = {};
  const all = custom.length ? [...roots, ...customResourceDependencies] : roots;
  for (const name of closure(all)) out[name] = definitionSchema(name, defs[name], style, gvks.get(name));
  for (const r of custom) Object.assign(out, customResourceSchemas(r, style));
  Object.assign(out, extraDefinitions(style));
  return out;
}

function scalarSchema(t: string): JsonObject {
  switch (t) {
    case 'string':
      return { type: 'string' };
    case 'integer':
      return { type: 'integer' };
    case 'number':
      return { type: 'number', format: 'double' };
    case 'boolean':
      return { type: 'boolean' };
    default:
      return { type: 'object' };
  }
}

// Upstream publishes IntOrString and Quantity as named schemas. kubectl explain prints a
// referenced schema's name (<IntOrString>, <Quantity>) only when it has no primitive
// type, so the v3 forms leave type out; swagger 2.0 (and kubectl 1.27's v2 parser)
// keep type string.
// kubectl explain prints their descriptions (kanzen's own) under a field's.
const intOrStringDoc = 'A value written as either an integer or a string: a port number or a port name, a count or a percentage (25%).';
const quantityDoc =
  'An amount of a resource: a number with an optional suffix. Binary suffixes Ki, Mi, Gi, Ti (powers of 1024), decimal ones k, M, G, T (powers of 1000), m for thousandths (cpu: 250m is a quarter of a core).';
const scalarDefinitions: Partial<Record<string, { name: string; v2: JsonObject; v3: JsonObject }>> = {
  'int-or-string': {
    name: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    v2: { description: intOrStringDoc, type: 'string', format: 'int-or-string' },
    v3: { description: intOrStringDoc, 'x-kubernetes-int-or-string': true },
  },
  quantity: { name: 'io.k8s.apimachinery.pkg.api.resource.Quantity', v2: { description: quantityDoc, type: 'string' }, v3: { description: quantityDoc } },
};

function refSchema(name: string, style: RefStyle): JsonObject {
  return style === 'v2' ? { $ref: `#/definitions/${name}` } : { allOf: [{ $ref: `#/components/schemas/${name}` }] };
}

function typeSchema(t: FieldType, style: RefStyle): JsonObject {
  if (isRef(t)) return style === 'v2' ? refSchema(t.ref, style) : { ...refSchema(t.ref, style), default: {} };
  const named = typeof t === 'string' ? scalarDefinitions[t] : undefined;
  if (named) return refSchema(named.name, style);
  if (isList(t)) return { type: 'array', items: typeSchema(t.list, style) };
  if (isMap(t)) return { type: 'object', additionalProperties: typeSchema(t.map, style) };
  return scalarSchema(t);
}

/** A schema with kanzen's description (what kubectl explain prints), when there is one. */
function described(schema: JsonObject, description: string | undefined): JsonObject {
  return description ? { description, ...schema } : schema;
}

function definitionSchema(name: string, d: Definition, style: RefStyle, gvk?: GroupVersionKind): JsonObject {
  const docs = definitionDocs[name] ?? {};
  const enums = definitionEnums[name] ?? {};
  const properties: JsonObject = {};
  for (const key of Object.keys(d.properties).sort()) {
    const schema = typeSchema(d.properties[key], style);
    properties[key] = described(enums[key] ? { ...schema, enum: enums[key] } : schema, docs[key]);
  }
  const schema: JsonObject = described({ type: 'object', properties }, docs['']);
  if (d.required) schema.required = d.required;
  if (gvk) schema['x-kubernetes-group-version-kind'] = [{ group: gvk.group, kind: gvk.kind, version: gvk.version }];
  return schema;
}

function gvkExtension(gvk: GroupVersionKind): JsonObject {
  return { group: gvk.group, version: gvk.version, kind: gvk.kind };
}

// ---- OpenAPI v3 -------------------------------------------------------------------

const patchDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const patchContentTypes = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/** Definitions outside the field schema: the PATCH body and the named string types. */
function extraDefinitions(style: RefStyle): JsonObject {
  const out: JsonObject = {
    [patchDefinition]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
  };
  for (const d of Object.values(scalarDefinitions)) if (d) out[d.name] = d[style];
  return out;
}

function v3Operation(op: Operation, tag: string): JsonObject {
  const resp = { $ref: `#/components/schemas/${op.responseDefinition}` };
  const o: JsonObject = {
    tags: [tag],
    operationId: op.operationId,
    parameters: queryParamsFor(op.action).map((p) => ({
      name: p.name,
      in: 'query',
      description: p.description,
      schema: { type: p.name === 'force' ? 'boolean' : 'string', uniqueItems: true },
    })),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: resp } } } },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': gvkExtension(op.gvk),
  };
  if (op.action === 'patch') {
    o.requestBody = {
      content: Object.fromEntries((op.patchTypes ?? patchContentTypes).map((c) => [c, { schema: { $ref: `#/components/schemas/${patchDefinition}` } }])),
      required: true,
    };
  } else if (op.action === 'post' || op.action === 'put') {
    o.requestBody = { content: { '*/*': { schema: resp } }, required: true };
  }
  return o;
}

function v3PathItem(p: PathSpec, tag: string): JsonObject {
  const item: JsonObject = {};
  for (const op of p.operations) item[httpMethod[op.action]] = v3Operation(op, tag);
  item.parameters = p.pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }));
  return item;
}

/** "api/v1", "apis/apps/v1", … in discovery order. */
function v3Paths(): string[] {
  const seen: string[] = [];
  for (const r of resources) {
    const p = r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
    if (!seen.includes(p)) seen.push(p);
  }
  return seen;
}

function buildV3Document(docPath: string): JsonObject | undefined {
  const served = resources.filter((r) => (r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`) === docPath);
  if (served.length === 0) return undefined;
  const paths: JsonObject = {};
  const roots: string[] = [];
  for (const r of served) {
    const tag = `${groupTag(r).replace(/V(\d)/, '_v$1')}`;
    for (const p of pathsFor(r)) {
      paths[p.path] = v3PathItem(p, tag);
      for (const op of p.operations) roots.push(op.responseDefinition);
    }
  }
  const schemas = definitionsFor(served, roots, 'v3');
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: kubernetesVersion },
    paths,
    components: { schemas },
  };
}

/** kube-openapi's etag/hash: upper-case hex SHA-512 of the served JSON. */
function hashOf(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

const v3Cache = new Map<string, { body: JsonObject; hash: string; json: string }>();

function v3Entry(docPath: string): { body: JsonObject; hash: string; json: string } | undefined {
  const cached = v3Cache.get(docPath);
  if (cached) return cached;
  const body = buildV3Document(docPath);
  if (!body) return undefined;
  // The served bytes (Go's escaping), which kube-openapi's hash is of.
  const json = goJSON(body);
  const entry = { body, hash: hashOf(json), json };
  v3Cache.set(docPath, entry);
  return entry;
}

/** /openapi/v3: where each group-version document lives, with its hash for client caching. */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const p of v3Paths()) {
    const entry = v3Entry(p);
    if (entry) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${entry.hash}` };
  }
  return { paths };
}

/** /openapi/v3/<path> (path without leading slash: "api/v1", "apis/apps/v1"); undefined → 404. */
export function openapiV3Document(path: string): { body: object; hash: string; json: string } | undefined {
  return v3Entry(path.replace(/^\/+/, '').replace(/\/+$/, ''));
}

// ---- OpenAPI v2 -------------------------------------------------------------------

function v2Operation(op: Operation, tag: string): JsonObject {
  const parameters: JsonObject[] = [];
  if (op.action === 'patch') {
    parameters.push({ name: 'body', in: 'body', required: true, schema: { $ref: `#/definitions/${patchDefinition}` } });
  } else if (op.action === 'post' || op.action === 'put') {
    parameters.push({ name: 'body', in: 'body', required: true, schema: { $ref: `#/definitions/${op.responseDefinition}` } });
  }
  for (const p of queryParamsFor(op.action)) {
    parameters.push({ uniqueItems: true, type: p.name === 'force' ? 'boolean' : 'string', description: p.description, name: p.name, in: 'query' });
  }
  return {
    description: `${op.action} ${op.gvk.kind}`,
    consumes: op.action === 'patch' ? (op.patchTypes ?? patchContentTypes) : ['*/*'],
    produces: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
    schemes: ['https'],
    tags: [tag],
    operationId: op.operationId,
    parameters,
    responses: { '200': { description: 'OK', schema: { $ref: `#/definitions/${op.responseDefinition}` } } },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': gvkExtension(op.gvk),
  };
}

let v2Json: JsonObject | undefined;

/** The swagger 2.0 document for /openapi/v2 (as JSON). */
export function openapiV2Json(): JsonObject {
  if (v2Json) return v2Json;
  const paths: JsonObject = {};
  const roots: string[] = [];
  for (const r of resources) {
    const tag = groupTag(r).replace(/V(\d)/, '_v$1');
    for (const p of pathsFor(r)) {
      const item: JsonObject = {};
      for (const op of p.operations) {
        item[httpMethod[op.action]] = v2Operation(op, tag);
        roots.push(op.responseDefinition);
      }
      item.parameters = p.pathParams.map((name) => ({ uniqueItems: true, type: 'string', description: `${name} of the object`, name, in: 'path', required: true }));
      paths[p.path] = item;
    }
  }
  const definitions = definitionsFor(resources, roots, 'v2');
  v2Json = { swagger: '2.0', info: { title: 'Kubernetes', version: kubernetesVersion }, paths, definitions };
  return v2Json;
}

let v2Proto: Buffer | undefined;

// A resource added or removed (a CRD established or deleted) changes the documents: build them again.
onResourcesChanged(() => {
  v3Cache.clear();
  v2Json = undefined;
  v2Proto = undefined;
});

/** /openapi/v2 as the gnostic openapi_v2.Document protobuf kubectl 1.27/1.28 ask for. */
export function openapiV2Protobuf(): Buffer {
  v2Proto ??= encodeOpenAPIv2Document(openapiV2Json());
  return v2Proto;
}

/** kube-openapi's ETag for /openapi/v2 (same hash for JSON and protobuf; Vary: Accept). */
export function openapiV2Hash(): string {
  return hashOf(goJSON(openapiV2Json()));
}

