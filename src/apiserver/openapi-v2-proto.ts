// Encodes a swagger 2.0 document (as JSON) into gnostic's openapi_v2.Document protobuf
// (github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto), the form kube-openapi
// serves /openapi/v2 in and kubectl 1.27/1.28 read. Only the parts kanzen's document
// uses are encoded: info, paths (operations, parameters, responses, vendor extensions)
// and definitions (schemas). Vendor extension values are YAML, as gnostic stores them.
import YAML from 'yaml';
import { boolField, doubleField, int64Field, messageField, repeatedStringField, stringField } from './protowire.js';

type JsonObject = Record<string, unknown>;

const asObject = (v: unknown): JsonObject => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asStrings = (v: unknown): string[] => asArray(v).filter((x): x is string => typeof x === 'string');
const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

// Field numbers from OpenAPIv2.proto.
const F = {
  document: { swagger: 1, info: 2, paths: 8, definitions: 9 },
  info: { title: 1, version: 2 },
  paths: { path: 2 },
  named: { name: 1, value: 2 },
  pathItem: { get: 2, put: 3, post: 4, delete: 5, patch: 8, parameters: 9 },
  operation: { tags: 1, description: 3, operationId: 5, produces: 6, consumes: 7, parameters: 8, responses: 9, schemes: 10, vendorExtension: 13 },
  parametersItem: { parameter: 1, jsonReference: 2 },
  parameter: { body: 1, nonBody: 2 },
  nonBody: { query: 3, path: 4 },
  body: { description: 1, name: 2, in: 3, required: 4, schema: 5 },
  // QueryParameterSubSchema and PathParameterSubSchema share 1-4 but not type/uniqueItems.
  query: { required: 1, in: 2, description: 3, name: 4, type: 6, uniqueItems: 20 },
  path: { required: 1, in: 2, description: 3, name: 4, type: 5, uniqueItems: 19 },
  responses: { responseCode: 1 },
  responseValue: { response: 1 },
  response: { description: 1, schema: 2 },
  schemaItem: { schema: 1 },
  any: { yaml: 2 },
  schema: {
    ref: 1,
    format: 2,
    title: 3,
    description: 4,
    multipleOf: 6,
    maximum: 7,
    exclusiveMaximum: 8,
    minimum: 9,
    exclusiveMinimum: 10,
    maxLength: 11,
    minLength: 12,
    pattern: 13,
    maxItems: 14,
    minItems: 15,
    uniqueItems: 16,
    maxProperties: 17,
    minProperties: 18,
    required: 19,
    enum: 20,
    additionalProperties: 21,
    type: 22,
    items: 23,
    allOf: 24,
    properties: 25,
    vendorExtension: 31,
  },
  additionalPropertiesItem: { schema: 1, boolean: 2 },
  typeItem: { value: 1 },
  itemsItem: { schema: 1 },
  properties: { additionalProperties: 1 },
  definitions: { additionalProperties: 1 },
} as const;

function named(field: number, name: string, value: Buffer): Buffer {
  return messageField(field, stringField(F.named.name, name), messageField(F.named.value, value));
}

/** NamedAny entries for the x-… keys of an object; gnostic keeps the value as YAML text. */
function vendorExtensions(field: number, o: JsonObject): Buffer {
  return Buffer.concat(
    Object.keys(o)
      .filter((k) => k.startsWith('x-'))
      .map((k) => named(field, k, stringField(F.any.yaml, YAML.stringify(o[k])))),
  );
}

/** Schema keywords of one scalar each, by how their field is written. */
const asDouble = (f: number, v: unknown) => doubleField(f, asNumber(v));
const asInt64 = (f: number, v: unknown) => int64Field(f, asNumber(v));
const asBool = (f: number, v: unknown) => boolField(f, v === true);
const valueValidations: [keyof typeof F.schema, (field: number, v: unknown) => Buffer][] = [
  ['multipleOf', asDouble],
  ['maximum', asDouble],
  ['exclusiveMaximum', asBool],
  ['minimum', asDouble],
  ['exclusiveMinimum', asBool],
  ['maxLength', asInt64],
  ['minLength', asInt64],
  ['pattern', (f, v) => stringField(f, asString(v))],
  ['maxItems', asInt64],
  ['minItems', asInt64],
  ['uniqueItems', asBool],
  ['maxProperties', asInt64],
  ['minProperties', asInt64],
];

export function encodeSchema(s: JsonObject): Buffer {
  const parts: Buffer[] = [
    stringField(F.schema.ref, asString(s.$ref)),
    stringField(F.schema.format, asString(s.format)),
    stringField(F.schema.title, asString(s.title)),
    stringField(F.schema.description, asString(s.description)),
    // A custom resource's value validations (built-in definitions have none).
    ...valueValidations.map(([key, write]) => write(F.schema[key], s[key])),
    repeatedStringField(F.schema.required, asStrings(s.required)),
    ...asArray(s.enum).map((v) => messageField(F.schema.enum, stringField(F.any.yaml, YAML.stringify(v)))),
  ];
  if (typeof s.additionalProperties === 'boolean') {
    parts.push(messageField(F.schema.additionalProperties, boolField(F.additionalPropertiesItem.boolean, s.additionalProperties)));
  } else if (s.additionalProperties !== undefined) {
    parts.push(messageField(F.schema.additionalProperties, messageField(F.additionalPropertiesItem.schema, encodeSchema(asObject(s.additionalProperties)))));
  }
  if (typeof s.type === 'string') parts.push(messageField(F.schema.type, stringField(F.typeItem.value, s.type)));
  if (s.items !== undefined) parts.push(messageField(F.schema.items, messageField(F.itemsItem.schema, encodeSchema(asObject(s.items)))));
  for (const sub of asArray(s.allOf)) parts.push(messageField(F.schema.allOf, encodeSchema(asObject(sub))));
  if (s.properties !== undefined) {
    const props = asObject(s.properties);
    parts.push(
      messageField(
        F.schema.properties,
        ...Object.keys(props).map((k) => named(F.properties.additionalProperties, k, encodeSchema(asObject(props[k])))),
      ),
    );
  }
  parts.push(vendorExtensions(F.schema.vendorExtension, s));
  return Buffer.concat(parts);
}

/** The content of a ParametersItem message (its oneof set to a Parameter). */
function encodeParameter(p: JsonObject): Buffer {
  if (p.in === 'body') {
    const body = Buffer.concat([
      stringField(F.body.description, asString(p.description)),
      stringField(F.body.name, asString(p.name)),
      stringField(F.body.in, 'body'),
      boolField(F.body.required, p.required === true),
      messageField(F.body.schema, encodeSchema(asObject(p.schema))),
    ]);
    return messageField(F.parametersItem.parameter, messageField(F.parameter.body, body));
  }
  const f = p.in === 'path' ? F.path : F.query;
  const sub = Buffer.concat([
    boolField(f.required, p.required === true),
    stringField(f.in, asString(p.in)),
    stringField(f.description, asString(p.description)),
    stringField(f.name, asString(p.name)),
    stringField(f.type, asString(p.type)),
    boolField(f.uniqueItems, p.uniqueItems === true),
  ]);
  const which = p.in === 'path' ? F.nonBody.path : F.nonBody.query;
  return messageField(F.parametersItem.parameter, messageField(F.parameter.nonBody, messageField(which, sub)));
}

function encodeResponses(responses: JsonObject): Buffer {
  return Buffer.concat(
    Object.keys(responses).map((code) => {
      const r = asObject(responses[code]);
      const response = Buffer.concat([
        stringField(F.response.description, asString(r.description)),
        r.schema !== undefined ? messageField(F.response.schema, messageField(F.schemaItem.schema, encodeSchema(asObject(r.schema)))) : Buffer.alloc(0),
      ]);
      return named(F.responses.responseCode, code, messageField(F.responseValue.response, response));
    }),
  );
}

function encodeOperation(op: JsonObject): Buffer {
  return Buffer.concat([
    repeatedStringField(F.operation.tags, asStrings(op.tags)),
    stringField(F.operation.description, asString(op.description)),
    stringField(F.operation.operationId, asString(op.operationId)),
    repeatedStringField(F.operation.produces, asStrings(op.produces)),
    repeatedStringField(F.operation.consumes, asStrings(op.consumes)),
    ...asArray(op.parameters).map((p) => messageField(F.operation.parameters, encodeParameter(asObject(p)))),
    messageField(F.operation.responses, encodeResponses(asObject(op.responses))),
    repeatedStringField(F.operation.schemes, asStrings(op.schemes)),
    vendorExtensions(F.operation.vendorExtension, op),
  ]);
}

function encodePathItem(item: JsonObject): Buffer {
  const parts: Buffer[] = [];
  for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
    if (item[method] !== undefined) parts.push(messageField(F.pathItem[method], encodeOperation(asObject(item[method]))));
  }
  for (const p of asArray(item.parameters)) parts.push(messageField(F.pathItem.parameters, encodeParameter(asObject(p))));
  return Buffer.concat(parts);
}

/** The whole Document message. */
export function encodeOpenAPIv2Document(doc: JsonObject): Buffer {
  const info = asObject(doc.info);
  const paths = asObject(doc.paths);
  const definitions = asObject(doc.definitions);
  return Buffer.concat([
    stringField(F.document.swagger, asString(doc.swagger)),
    messageField(F.document.info, stringField(F.info.title, asString(info.title)), stringField(F.info.version, asString(info.version))),
    messageField(F.document.paths, ...Object.keys(paths).map((p) => named(F.paths.path, p, encodePathItem(asObject(paths[p]))))),
    messageField(
      F.document.definitions,
      ...Object.keys(definitions).map((d) => named(F.definitions.additionalProperties, d, encodeSchema(asObject(definitions[d])))),
    ),
  ]);
}
