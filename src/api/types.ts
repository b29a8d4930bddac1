// Kubernetes API object shapes, as plain JSON with Kubernetes' field names. The API types are
// generated from the schema fact file (schema/api-types.ts, `npm run gen:api`); this module
// re-exports them with the few shapes that are not API schema: the object every kind extends,
// list and watch envelopes, and the API's Status.
import type { ListMeta, ObjectMeta } from './schema/api-types.js';

export * from './schema/api-types.js';

/** What every kind shares; objects are stored as the JSON the client sent, so other fields pass through. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: ListMeta;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T | Status;
}
