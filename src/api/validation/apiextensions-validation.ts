// CustomResourceDefinition validation (upstream apiextensions-apiserver
// pkg/apis/apiextensions/validation and pkg/apiserver/schema's structural checks): the rules a
// Helm chart's CRD most often breaks, with upstream's paths and messages; CEL rules are
// compiled and their estimated cost checked (custom-resource-cel.ts). Not covered: conversion
// webhooks' client config,
// defaults pruning and the per-version "identical values" rules.
import { isDeepStrictEqual } from 'node:util';
import { field, omitValue, type FieldError } from '../errors.js';
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionVersion,
  JSONSchemaProps,
} from '../types.js';
import { isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validateSchemaRules } from './custom-resource-cel.js';
import { schemaFieldPath } from './schema-field-path.js';

const scopes = ['Cluster', 'Namespaced'];
const schemaTypes = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const printerColumnTypes = ['boolean', 'date', 'integer', 'number', 'string'];
const printerColumnFormats = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

/**
 * ValidateCustomResourceDefinition: metadata, spec, accepted names and stored versions.
 * unchangedSchemas: on update, the versions whose schema the update leaves as it was (their
 * rules are not held to the per-rule cost limit again, upstream's ratcheting of expensive rules).
 */
export function validateCustomResourceDefinition(crd: CustomResourceDefinition, unchangedSchemas = new Set<string>()): FieldError[] {
  const spec = crd.spec;
  const requiredName = `${spec.names?.plural ?? ''}.${spec.group ?? ''}`;
  const nameFn = (name: string, prefix: boolean): string[] => {
    const errs = nameIsDNSSubdomain(name, prefix);
    if (name !== requiredName) errs.push('must be spec.names.plural+"."+spec.group');
    return errs;
  };
  return [
    ...validateObjectMeta(crd.metadata, false, nameFn, 'metadata', false),
    ...validateSpec(spec, 'spec', unchangedSchemas),
    ...validateNames(crd.status?.acceptedNames, 'status.acceptedNames'),
    ...validateStoredVersions(crd.status?.storedVersions, spec.versions ?? []),
  ];
}

/** ValidateCustomResourceDefinitionUpdate: the create rules, metadata update rules, scope fixed once established. */
export function validateCustomResourceDefinitionUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(crd.metadata, old.metadata, 'metadata', false),
    ...validateCustomResourceDefinition(crd, versionsWithUnchangedSchemas(crd, old)).filter((e) => !e.field.startsWith('metadata.')),
  ];
  if (isEstablished(old) && crd.spec.scope !== old.spec.scope) errs.push(field.invalid('spec.scope', crd.spec.scope, 'field is immutable'));
  return errs;
}

/** upstream findVersionsWithUnchangedSchemas. */
function versionsWithUnchangedSchemas(crd: CustomResourceDefinition, old: CustomResourceDefinition): Set<string> {
  const unchanged = new Set<string>();
  for (const v of crd.spec.versions ?? []) {
    const was = old.spec.versions?.find((o) => o.name === v.name);
    if (was?.schema && v.schema && isDeepStrictEqual(was.schema, v.schema)) unchanged.add(v.name);
  }
  return unchanged;
}

/** The status subresource: accepted names and stored versions (upstream ValidateUpdateCustomResourceDefinitionStatus). */
export function validateCustomResourceDefinitionStatusUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  return [
    ...validateObjectMetaUpdate(crd.metadata, old.metadata, 'metadata', false),
    ...validateNames(crd.status?.acceptedNames, 'status.acceptedNames'),
    ...validateStoredVersions(crd.status?.storedVersions, crd.spec.versions ?? []),
  ];
}

export function isEstablished(crd: CustomResourceDefinition): boolean {
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}

function validateSpec(spec: CustomResourceDefinitionSpec, path: string, unchangedSchemas: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.group) errs.push(field.required(`${path}.group`, ''));
  else if (isDNS1123Subdomain(spec.group).length) errs.push(field.invalid(`${path}.group`, spec.group, isDNS1123Subdomain(spec.group).join(',')));
  else if (spec.group.split('.').length < 2) errs.push(field.invalid(`${path}.group`, spec.group, 'should be a domain with at least one dot'));

  if (!spec.scope) errs.push(field.required(`${path}.scope`, ''));
  else if (!scopes.includes(spec.scope)) errs.push(field.notSupported(`${path}.scope`, spec.scope, scopes));

  const versions = spec.versions ?? [];
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const vp = `${path}.versions[${i}]`;
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const nameErrs = isDNS1035Label(v.name ?? '');
    if (nameErrs.length) errs.push(field.invalid(`${vp}.name`, v.name, nameErrs.join(',')));
    errs.push(...validateVersion(v, vp, unchangedSchemas.has(v.name)));
  });
  // Upstream prints the whole versions list here; kanzen leaves the Go struct dump out.
  if (!unique) errs.push(field.invalid(`${path}.versions`, omitValue, 'must contain unique version names'));
  if (storage !== 1) errs.push(field.invalid(`${path}.versions`, omitValue, 'must have exactly one version marked as storage version'));

  const names = spec.names ?? ({} as CustomResourceDefinitionNames);
  for (const key of ['plural', 'singular', 'kind', 'listKind'] as const) if (!names[key]) errs.push(field.required(`${path}.names.${key}`, ''));
  errs.push(...validateNames(names, `${path}.names`));

  const strategy = spec.conversion?.strategy;
  if (strategy && strategy !== 'None' && strategy !== 'Webhook') errs.push(field.notSupported(`${path}.conversion.strategy`, strategy, ['None', 'Webhook']));
  if (strategy === 'Webhook' && !spec.conversion?.webhook?.clientConfig) {
    errs.push(field.required(`${path}.conversion.webhookClientConfig`, 'required when strategy is set to Webhook'));
  }
  return errs;
}

function validateVersion(v: CustomResourceDefinitionVersion, path: string, unchangedSchema: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const schema = v.schema?.openAPIV3Schema;
  if (!schema) errs.push(field.required(`${path}.schema.openAPIV3Schema`, 'schemas are required'));
  else {
    const hasStatus = v.subresources?.status !== undefined;
    if (hasStatus && schema.type && schema.type !== 'object') {
      errs.push(field.invalid(`${path}.schema.openAPIV3Schema.type`, schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
    }
    const structural = validateStructural(schema, `${path}.schema.openAPIV3Schema`, 'root');
    errs.push(...structural);
    // Rules are compiled against the schema's types, so only a structural schema's.
    if (structural.length === 0) errs.push(...validateSchemaRules(schema, `${path}.schema.openAPIV3Schema`, { unchangedSchema }));
  }
  errs.push(...validateSelectableFields(v, `${path}.selectableFields`));
  const scale = v.subresources?.scale;
  if (scale) {
    if (!scale.specReplicasPath) errs.push(field.required(`${path}.subresources.scale.specReplicasPath`, ''));
    else if (!scale.specReplicasPath.startsWith('.spec.')) errs.push(field.invalid(`${path}.subresources.scale.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
    if (!scale.statusReplicasPath) errs.push(field.required(`${path}.subresources.scale.statusReplicasPath`, ''));
    else if (!scale.statusReplicasPath.startsWith('.status.')) errs.push(field.invalid(`${path}.subresources.scale.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
    const sel = scale.labelSelectorPath;
    if (sel && !sel.startsWith('.spec.') && !sel.startsWith('.status.')) errs.push(field.invalid(`${path}.subresources.scale.labelSelectorPath`, sel, 'should be a json path under either .spec or .status'));
  }
  (v.additionalPrinterColumns ?? []).forEach((c, i) => {
    const cp = `${path}.additionalPrinterColumns[${i}]`;
    if (!c.name) errs.push(field.required(`${cp}.name`, ''));
    if (!c.type) errs.push(field.required(`${cp}.type`, `must be one of ${printerColumnTypes.join(',')}`));
    else if (!printerColumnTypes.includes(c.type)) errs.push(field.invalid(`${cp}.type`, c.type, `must be one of ${printerColumnTypes.join(',')}`));
    if (c.format && !printerColumnFormats.includes(c.format)) errs.push(field.invalid(`${cp}.format`, c.format, `must be one of ${printerColumnFormats.join(',')}`));
    if (!c.jsonPath) errs.push(field.required(`${cp}.JSONPath`, ''));
  });
  return errs;
}

/** upstream MaxSelectableFields. */
const maxSelectableFields = 8;

/** A version's selectableFields (upstream ValidateCustomResourceSelectableFields). */
function validateSelectableFields(v: CustomResourceDefinitionVersion, path: string): FieldError[] {
  const fields = v.selectableFields ?? [];
  if (fields.length === 0) return [];
  const schema = v.schema?.openAPIV3Schema;
  // upstream's wording, "is not included" for "is included".
  if (!schema) return [field.invalid(path, '', 'may only be set when `version.schema.openAPIV3Schema` is not included')];
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const at = `${path}[${i}].jsonPath`;
    if (!f.jsonPath) return errs.push(field.required(at, ''));
    const found = schemaFieldPath(f.jsonPath, schema, false);
    if ('error' in found) return errs.push(field.invalid(at, f.jsonPath, `is an invalid path: ${found.error}`));
    if (found.path.split(/[.[]/)[0] === 'metadata') errs.push(field.invalid(at, f.jsonPath, 'must not point to fields in metadata'));
    if (!['string', 'boolean', 'integer'].includes(found.schema.type ?? '')) {
      errs.push(field.invalid(at, f.jsonPath, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    }
    if (unique.has(found.path)) errs.push(field.duplicate(at, f.jsonPath));
    else unique.add(found.path);
  });
  if (unique.size > maxSelectableFields) errs.push(field.tooMany(path, unique.size, maxSelectableFields));
  return errs;
}

type Position = 'root' | 'property' | 'item';

/**
 * The structural-schema rules (pkg/apiserver/schema validation.go): every specified node has a
 * type, the root is an object, unsupported JSON-schema keywords are forbidden.
 */
export function validateStructural(s: JSONSchemaProps, path: string, at: Position): FieldError[] {
  const errs: FieldError[] = [];
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(field.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (!s.type && !preserve && !s['x-kubernetes-int-or-string']) {
    const detail = at === 'root' ? 'must not be empty at the root' : at === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    errs.push(field.required(`${path}.type`, detail));
  } else if (s.type && !schemaTypes.includes(s.type)) errs.push(field.notSupported(`${path}.type`, s.type, schemaTypes));
  if (at === 'root' && s.type && s.type !== 'object') errs.push(field.invalid(`${path}.type`, s.type, 'must be object at the root'));
  if (at === 'root' && s.nullable) errs.push(field.forbidden(`${path}.nullable`, 'nullable cannot be true at the root'));
  if (s.type === 'array' && !s.items) errs.push(field.required(`${path}.items`, 'must be specified'));
  if (s.items !== undefined && Array.isArray(s.items)) errs.push(field.forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== true) {
    errs.push(field.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  }
  for (const [key, text] of [['id', 'id is not supported'], ['additionalItems', 'additionalItems is not supported'], ['patternProperties', 'patternProperties is not supported'], ['definitions', 'definitions is not supported'], ['dependencies', 'dependencies is not supported'], ['$ref', '$ref is not supported']] as const) {
    if (s[key] !== undefined && s[key] !== '') errs.push(field.forbidden(`${path}.${key}`, text));
  }
  for (const [name, p] of Object.entries(s.properties ?? {})) errs.push(...validateStructural(p, `${path}.properties[${name}]`, 'property'));
  if (s.items && !Array.isArray(s.items) && typeof s.items === 'object') errs.push(...validateStructural(s.items as JSONSchemaProps, `${path}.items`, 'item'));
  const additional = s.additionalProperties;
  if (additional && typeof additional === 'object') errs.push(...validateStructural(additional as JSONSchemaProps, `${path}.additionalProperties`, 'property'));
  return errs;
}

function validateNames(names: CustomResourceDefinitionNames | undefined, path: string): FieldError[] {
  if (!names) return [];
  const errs: FieldError[] = [];
  const label = (value: string | undefined, key: string, mixedCase = false) => {
    if (!value) return;
    const e = isDNS1035Label(mixedCase ? value.toLowerCase() : value);
    if (e.length) errs.push(field.invalid(`${path}.${key}`, value, `${mixedCase ? 'may have mixed case, but should otherwise match: ' : ''}${e.join(',')}`));
  };
  label(names.plural, 'plural');
  label(names.singular, 'singular');
  label(names.kind, 'kind', true);
  label(names.listKind, 'listKind', true);
  (names.shortNames ?? []).forEach((n, i) => label(n, `shortNames[${i}]`));
  if (names.kind && names.kind === names.listKind) errs.push(field.invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  (names.categories ?? []).forEach((n, i) => label(n, `categories[${i}]`));
  return errs;
}

/** ValidateCustomResourceDefinitionStoredVersions. */
function validateStoredVersions(stored: string[] | undefined, versions: CustomResourceDefinitionVersion[]): FieldError[] {
  if (!stored?.length) return []; // empty before the strategy records the storage version
  const path = 'status.storedVersions';
  const errs: FieldError[] = [];
  const storage = versions.find((v) => v.storage);
  if (storage && !stored.includes(storage.name)) errs.push(field.invalid(path, stored, `must have the storage version ${storage.name}`));
  stored.forEach((v, i) => {
    if (!versions.some((x) => x.name === v)) {
      errs.push(field.invalid(`${path}[${i}]`, v, `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`));
    }
  });
  return errs;
}
