// A strategy is what makes one resource different from another in the generic registry
// (upstream: pkg/registry/*/strategy.go): what to reset on create and update, how to
// validate, which allocations to make, whether deletion is graceful. Adding a resource is
// adding a strategy, not a handler.
import type { FieldError } from '../api/errors.js';
import type { FieldSelectors } from '../api/fields.js';
import type { DeleteOptions, KubeObject, Scale } from '../api/types.js';
import type { ResourceInfo } from '../api/resources.js';
import type { UserInfo } from './user-info.js';

/** An allocation begun for a write; committed when the write lands, reverted if it fails. */
export interface Transaction {
  commit(): void;
  revert(): void;
}

export const noTransaction: Transaction = { commit() {}, revert() {} };

/**
 * A subresource that writes one part of the object under its own rules (upstream: a copy of
 * the Store with its own UpdateStrategy, e.g. pods/ephemeralcontainers).
 */
export interface SubresourceStrategy {
  /** What is stored: the stored object with only what this subresource may change taken from the request. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): KubeObject;
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  /** As Strategy.validateAsync, for writes through this subresource. */
  validateAsync?(obj: KubeObject, old: KubeObject): Promise<FieldError[]>;
}

/**
 * The scale subresource (upstream: each workload registry's ScaleREST, with its own
 * scaleFromX and the replicas it writes back): the autoscaling/v1 Scale a stored object
 * shows, and the stored object a Scale write makes. Built with scaleStrategy() or one of
 * the ready ones in resources/scale-strategy.ts.
 */
export interface ScaleStrategy {
  toScale(obj: KubeObject): Scale;
  /** obj with the Scale's desired replicas; an invalid or stale Scale is refused. */
  fromScale(obj: KubeObject, scale: KubeObject, info: ResourceInfo): KubeObject;
}

export interface Strategy {
  /** The resource has a status subresource: main-resource writes keep the stored status, status writes keep the rest. */
  hasStatus: boolean;
  /** metadata.generation is maintained (bumped on spec changes). */
  tracksGeneration: boolean;
  /** PUT of a missing object creates it (upstream AllowCreateOnUpdate). */
  allowCreateOnUpdate: boolean;
  prepareForCreate(obj: KubeObject): void;
  /** subresource is set for writes through one (e.g. a namespace's finalize). */
  prepareForUpdate(obj: KubeObject, old: KubeObject, subresource?: string): void;
  validate(obj: KubeObject): FieldError[];
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  /**
   * Validation that may take long and so is awaited (a custom resource's CEL rules, which may run
   * on a worker thread so that other requests are answered meanwhile): its errors follow
   * validate's, validateUpdate's or validateStatusUpdate's. old: the stored object on update.
   */
  validateAsync?(obj: KubeObject, old: KubeObject | undefined): Promise<FieldError[]>;
  /**
   * The resource's validating admission of an update, which may read other resources (upstream:
   * the admission chain's Validate, which the store runs after the strategy's validation).
   * Throws the ApiError to answer with.
   */
  admitUpdate?(obj: KubeObject, old: KubeObject, dryRun: boolean): Promise<void>;
  /**
   * Whether the user may write this content, beyond the verb the authorizer allowed (upstream:
   * RBAC's policy-based storage and its escalation check), before validation; old is absent on
   * a create. Throws the ApiError to answer with. Runs for requests only (WriteContext.user).
   */
  authorizeWrite?(obj: KubeObject, old: KubeObject | undefined, user: UserInfo): void;
  /** Validation of a status-subresource write. */
  validateStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  /** The field selectors list and watch accept, and the values they match (upstream GetAttrs). */
  fieldSelectors: FieldSelectors;
  /**
   * The propagation policy of a DELETE that names none (upstream DefaultGarbageCollectionPolicy):
   * batch/v1 Jobs and v1 ReplicationControllers orphan their pods, for backward compatibility.
   */
  defaultGarbageCollectionPolicy?: 'Orphan';
  /** DELETE answers with the deleted object rather than a Status (upstream Store.ReturnDeletedObject). */
  returnDeletedObject?: boolean;
  /** Subresources served by the generic handlers with their own strategy, by name. */
  subresources?: Record<string, SubresourceStrategy>;
  /** Allocations (ClusterIPs, NodePorts) before the write, upstream's BeginCreate/BeginUpdate. */
  beginCreate?(obj: KubeObject, dryRun: boolean): Transaction;
  beginUpdate?(obj: KubeObject, old: KubeObject, dryRun: boolean): Transaction;
  /** Called once the object is gone from the store (release allocations). */
  afterDelete?(obj: KubeObject): void;
  /**
   * Graceful deletion (upstream CheckGracefulDelete): the grace period to wait, in seconds,
   * before the object may be removed; 0 or undefined removes it at once.
   */
  gracePeriod?(obj: KubeObject, opts: DeleteOptions): number | undefined;
  /** Changes made when deletion starts (e.g. a namespace turns Terminating). */
  prepareForDelete?(obj: KubeObject): void;
  /** Whether an object with deletionTimestamp may be removed now (beyond metadata.finalizers). */
  readyToRemove?(obj: KubeObject): boolean;
}
