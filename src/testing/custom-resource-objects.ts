// Custom resource schemas for tests: an object whose spec carries the given CEL rules and properties.
import type { JSONSchemaProps, ValidationRule } from '../api/types.js';

export function ruleSchema(rules: ValidationRule[] | undefined, properties: Record<string, JSONSchemaProps>): JSONSchemaProps {
  return { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': rules, properties } } };
}
