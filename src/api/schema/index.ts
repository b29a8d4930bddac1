export { type FieldType, type Definition, type ScalarType, isList, isMap, isRef } from './fieldtype.js';
export { definitions, definitionDocs, definitionEnums } from './definitions.js';
export { allDefinitions, definitionFor, definitionName, servedKinds, listMetaDefinition, type GroupVersionKind } from './kinds.js';
export { unknownFields, strictDecodingMessage, decodeTyped, maxOpaqueDepth } from './unknown-fields.js';
