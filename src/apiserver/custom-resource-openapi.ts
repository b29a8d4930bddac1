// The OpenAPI definitions of a custom resource (upstream apiextensions-apiserver
// pkg/controller/openapi/builder): the CRD version's structural schema, published with
// apiVersion, kind and metadata added and the kind's x-kubernetes-group-version-kind, plus a
// <Kind>List definition. kubectl explain and kubectl's schema-aware apply read them: 1.33 from
// /openapi/v3/apis/<group>/<version>, 1.27 from /openapi/v2.
//
// The v2 (swagger 2.0) form drops what swagger cannot say (openapi/v2 ToStructuralOpenAPIV2):
// allOf/anyOf/oneOf/not, nullable (a nullable field loses its type and is no longer required),
// the items and properties of x-kubernetes-preserve-unknown-fields nodes, and defaults (the
// v2 aggregator prunes them). A root that preserves unknown fields is published as a bare object.
import type { ResourceInfo } from '../api/resources.js';
import { definitionDocs } from '../api/schema/index.js';
import type { JSONSchemaProps } from '../api/types.js';

type JsonObject = Record<string, unknown>;
export type OpenAPIStyle = 'v2' | 'v3';

const objectMetaDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const listMetaDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** The definitions a custom resource's schema refers to. */
export const customResourceDependencies = [objectMetaDefinition, listMetaDefinition];

/** Upstream's model name of a custom kind: the group reversed (com.example.stable.v1.CronTab). */
export function customResourceModelName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

// TypeMeta's and ObjectMeta's texts as kanzen publishes them for every built-in kind.
const typeMetaDocs = definitionDocs['io.k8s.api.core.v1.Pod'] ?? {};
const objectMetaDoc = 'Standard object metadata: name, namespace, labels, annotations, owner references.';
const listMetaDoc = 'Standard list metadata: the resourceVersion and continue token of the list.';

/** Schema keys a structural schema keeps (upstream Structural's Generic, ValueValidation, Extensions). */
const valueKeys = [
  'description',
  'type',
  'format',
  'title',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'nullable',
  'example',
  'externalDocs',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
] as const;
const junctors = ['allOf', 'anyOf', 'oneOf'] as const;

function ref(name: string, style: OpenAPIStyle, description: string): JsonObject {
  return style === 'v2'
    ? { description, $ref: `#/definitions/${name}` }
    : { description, allOf: [{ $ref: `#/components/schemas/${name}` }] };
}

/** One schema node as published: structural keys only, with v2's reductions. */
function publish(s: JSONSchemaProps, style: OpenAPIStyle): JsonObject {
  const src = s as unknown as JsonObject;
  const out: JsonObject = {};
  for (const k of valueKeys) if (src[k] !== undefined && src[k] !== false) out[k] = src[k];
  if (src['x-kubernetes-preserve-unknown-fields'] === false) delete out['x-kubernetes-preserve-unknown-fields'];
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, publish(v, style)]));
  if (s.items && !Array.isArray(s.items)) out.items = publish(s.items, style);
  if (s.additionalProperties !== undefined) {
    out.additionalProperties = typeof s.additionalProperties === 'boolean' ? s.additionalProperties : publish(s.additionalProperties, style);
  }
  if (style === 'v3') {
    for (const j of junctors) if (s[j]) out[j] = s[j]!.map((x) => publish(x, style));
    if (s.not) out.not = publish(s.not, style);
    // Upstream unfolds int-or-string into the anyOf it stands for.
    if (s['x-kubernetes-int-or-string'] && !s.anyOf && !s.allOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    return withEmbeddedMeta(s, out, style);
  }
  return withEmbeddedMeta(s, toSwagger(out), style);
}

/**
 * An embedded resource (x-kubernetes-embedded-resource) gets apiVersion, kind and metadata, and
 * requires the first two (upstream addEmbeddedProperties; not where v2 keeps unknown fields).
 */
function withEmbeddedMeta(s: JSONSchemaProps, out: JsonObject, style: OpenAPIStyle): JsonObject {
  if (!s['x-kubernetes-embedded-resource'] || (style === 'v2' && s['x-kubernetes-preserve-unknown-fields'])) return out;
  out.properties = { ...((out.properties as JsonObject | undefined) ?? {}), ...typeMetaProperties(), metadata: ref(objectMetaDefinition, style, objectMetaDoc) };
  const required = (out.required as string[] | undefined) ?? [];
  for (const k of ['kind', 'apiVersion']) if (!required.includes(k)) required.push(k);
  out.required = required;
  return out;
}

/** What swagger 2.0 cannot say, removed (upstream ToStructuralOpenAPIV2, defaults pruned). */
function toSwagger(out: JsonObject): JsonObject {
  delete out.default;
  if (out.nullable) {
    delete out.type;
    delete out.nullable;
    delete out.items;
    delete out.properties;
  }
  if (out['x-kubernetes-preserve-unknown-fields']) {
    delete out.items;
    delete out.properties;
    if (out.type === 'object') delete out.type;
  }
  if (out.type === 'array' && out.items === undefined) delete out.type;
  return out;
}

/** Nullable properties are not required in v2 (a null could not be written). */
function dropNullableRequired(s: JSONSchemaProps, out: JsonObject): void {
  const props = s.properties ?? {};
  if (Array.isArray(out.required)) {
    const required = (out.required as string[]).filter((f) => !props[f]?.nullable);
    if (required.length) out.required = required;
    else delete out.required;
  }
  for (const [k, v] of Object.entries(props)) {
    const child = (out.properties as JsonObject | undefined)?.[k];
    if (child) dropNullableRequired(v, child as JsonObject);
  }
}

function typeMetaProperties(): JsonObject {
  return {
    apiVersion: { description: typeMetaDocs.apiVersion, type: 'string' },
    kind: { description: typeMetaDocs.kind, type: 'string' },
  };
}

/** The kind's GVK, and the fields a field selector may name (x-kubernetes-selectable-fields). */
function kindExtensions(info: ResourceInfo, kind: string): JsonObject {
  const out: JsonObject = { 'x-kubernetes-group-version-kind': [{ group: info.group, kind, version: info.version }] };
  const selectable = info.custom?.selectableFields ?? [];
  if (selectable.length) out['x-kubernetes-selectable-fields'] = selectable.map((p) => ({ fieldPath: p.replace(/^\./, '') }));
  return out;
}

/** The kind's definition. */
function kindSchema(info: ResourceInfo, style: OpenAPIStyle): JsonObject {
  const schema = info.custom?.schema;
  const gvk = kindExtensions(info, info.kind);
  if (!schema || (style === 'v2' && schema['x-kubernetes-preserve-unknown-fields'])) return { type: 'object', ...gvk };
  const out = publish(schema, style);
  if (style === 'v2') dropNullableRequired(schema, out);
  out.properties = { ...((out.properties as JsonObject | undefined) ?? {}), ...typeMetaProperties(), metadata: ref(objectMetaDefinition, style, objectMetaDoc) };
  return { ...out, ...gvk };
}

/** The <Kind>List definition. */
function listSchema(info: ResourceInfo, style: OpenAPIStyle): JsonObject {
  const item = customResourceModelName(info.group, info.version, info.kind);
  const itemRef = style === 'v2' ? `#/definitions/${item}` : `#/components/schemas/${item}`;
  return {
    description: `${info.listKind} is a list of ${info.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      ...typeMetaProperties(),
      items: {
        description: `List of ${info.resource}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        type: 'array',
        items: { $ref: itemRef },
      },
      metadata: ref(listMetaDefinition, style, listMetaDoc),
    },
    ...kindExtensions(info, info.listKind),
  };
}

/** The kind's and list kind's definitions by model name, for a custom resource's ResourceInfo. */
export function customResourceSchemas(info: ResourceInfo, style: OpenAPIStyle): Record<string, JsonObject> {
  return {
    [customResourceModelName(info.group, info.version, info.kind)]: kindSchema(info, style),
    [customResourceModelName(info.group, info.version, info.listKind)]: listSchema(info, style),
  };
}
