// The size facts of a schema's CEL type (apiserver/pkg/cel/common/schemas.go SchemaDeclType and
// types.go DeclType): the most elements (list items, map entries, string bytes) a value may
// have, from maxItems/maxProperties/maxLength or, when unbounded, the most that fit in one
// request (MaxRequestSizeBytes, 3 MiB), and the smallest serialized size of a value, which
// bounds how often it can repeat. The cost estimator reads sizes through declTypeSizes.
import type { JSONSchemaProps } from '../types.js';
import type { Range, SizeOracle } from './cel-cost.js';
import { escapeCelPropertyName } from './cel-escaping.js';

/** apiserver/pkg/apis/cel/config.go MaxRequestSizeBytes. */
export const maxRequestSizeBytes = 3 * 1024 * 1024;

export interface DeclType {
  maxElements: number;
  minSerializedSize: number;
  elem?: DeclType;
  fields?: Record<string, DeclType>;
}

const isSchema = (s: unknown): s is JSONSchemaProps => typeof s === 'object' && s !== null && !Array.isArray(s);
const zeroIfNegative = (n: number) => Math.max(n, 0);

// apiserver/pkg/cel/limits.go
const minStringSize = 2;
const maxDatetimeSizeJSON = 32;
const maxDurationSizeJSON = 32;
const jsonDateSize = 12;
const minDatetimeSizeJSON = 21;
const minDurationSizeJSON = 3;
/** DNS1123SubdomainMaxLength: metadata.name as rules see it (model.WithTypeAndObjectMeta). */
const nameMaxLength = 253;

const estimateMaxStringLengthPerRequest = () => maxRequestSizeBytes - 2;
const estimateMaxArrayItemsFromMinSize = (minSize: number) => Math.floor((maxRequestSizeBytes - 2) / (minSize + 1));
const estimateMaxAdditionalPropertiesFromMinSize = (minSize: number) => Math.floor((maxRequestSizeBytes - 2) / (minSize + 6));
/** A maxLength in characters is up to four bytes each. */
const estimateMaxElementsFromMaxLength = (maxLength: number) => zeroIfNegative(maxLength) * 4;

const scalar = (minSerializedSize: number, maxElements = 0): DeclType => ({ maxElements, minSerializedSize });

function stringType(s: JSONSchemaProps): DeclType {
  switch (s.format) {
    case 'byte':
      return scalar(minStringSize, s.maxLength !== undefined ? zeroIfNegative(s.maxLength) : estimateMaxStringLengthPerRequest());
    case 'duration':
      return scalar(minDurationSizeJSON, maxDurationSizeJSON);
    case 'date':
      return scalar(jsonDateSize, jsonDateSize);
    case 'date-time':
      return scalar(minDatetimeSizeJSON, maxDatetimeSizeJSON);
  }
  if (s.maxLength !== undefined) return scalar(minStringSize, estimateMaxElementsFromMaxLength(s.maxLength));
  if (s.enum?.length) return scalar(minStringSize, Math.max(0, ...s.enum.map((v) => (typeof v === 'string' ? v.length : 0))));
  return scalar(minStringSize, estimateMaxStringLengthPerRequest());
}

/** The object with apiVersion, kind and metadata.name/generateName (capped) that a resource root shows rules. */
function withTypeAndObjectMeta(s: JSONSchemaProps): JSONSchemaProps {
  const meta = s.properties?.metadata?.properties ?? {};
  const capped = (p: JSONSchemaProps | undefined, max: number): JSONSchemaProps => ({ type: 'string', maxLength: Math.min(p?.maxLength ?? max, max) });
  return {
    ...s,
    properties: {
      ...s.properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', properties: { name: capped(meta.name, nameMaxLength), generateName: capped(meta.generateName, nameMaxLength - 1) } },
    },
  };
}

/** SchemaDeclType: undefined where rules cannot see the value. */
export function schemaDeclType(schema: JSONSchemaProps, isResourceRoot: boolean): DeclType | undefined {
  if (schema['x-kubernetes-int-or-string']) {
    return scalar(1, schema.maxLength !== undefined ? estimateMaxElementsFromMaxLength(schema.maxLength) : estimateMaxStringLengthPerRequest());
  }
  const s = isResourceRoot ? withTypeAndObjectMeta(schema) : schema;
  switch (s.type) {
    case 'array': {
      if (!isSchema(s.items)) return undefined;
      const elem = schemaDeclType(s.items, !!s.items['x-kubernetes-embedded-resource']);
      if (!elem) return undefined;
      const maxItems = s.maxItems !== undefined ? zeroIfNegative(s.maxItems) : estimateMaxArrayItemsFromMinSize(elem.minSerializedSize);
      return { maxElements: maxItems, minSerializedSize: 2, elem };
    }
    case 'object': {
      if (isSchema(s.additionalProperties)) {
        const elem = schemaDeclType(s.additionalProperties, !!s.additionalProperties['x-kubernetes-embedded-resource']);
        if (!elem) return undefined;
        const maxProperties = s.maxProperties !== undefined ? zeroIfNegative(s.maxProperties) : estimateMaxAdditionalPropertiesFromMinSize(elem.minSerializedSize);
        return { maxElements: maxProperties, minSerializedSize: 2, elem };
      }
      const required = new Set(s.required ?? []);
      const fields: Record<string, DeclType> = {};
      let minSerializedSize = 2;
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        const t = schemaDeclType(prop, !!prop['x-kubernetes-embedded-resource']);
        const celName = escapeCelPropertyName(name);
        if (!t || !celName) continue;
        fields[celName] = t;
        if (required.has(name) && prop.default === undefined) minSerializedSize += name.length + t.minSerializedSize + 4;
      }
      return { maxElements: 0, minSerializedSize, fields };
    }
    case 'string':
      return stringType(s);
    case 'boolean':
      return scalar(4);
    case 'number':
    case 'integer':
      return scalar(1);
  }
  return undefined;
}

/** compilation.go sizeEstimator: the bound of the data at a path from self (or oldSelf). */
export function declTypeSizes(root: DeclType | undefined): SizeOracle {
  return (path: string[]): Range | undefined => {
    let node = root;
    for (const name of path.slice(1)) {
      if (!node) return undefined;
      node = name === '@items' || name === '@values' ? node.elem : name === '@keys' ? (node.elem ? scalar(minStringSize) : undefined) : node.fields?.[name];
    }
    return node ? { min: 0, max: node.maxElements } : undefined;
  };
}

/** compilation.go maxCardinality: how often data of this smallest size can repeat in one request. */
export function maxCardinality(minSize: number): number {
  return Math.floor(maxRequestSizeBytes / (minSize + 1));
}
