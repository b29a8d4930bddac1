// What a request for one named object reads and writes (upstream: the rest.Storage the
// handler is given — the resource's Store, its status Store, or a ScaleREST over it). The
// verb handlers are the same for all of them: they read the object, or hand the storage a
// function from the current object to the new one.
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Printer } from '../../api/printers/index.js';
import { scalePrinter } from '../../api/printers/scale-printer.js';
import type { Registry, WriteContext } from '../registry.js';
import type { ScaleStrategy } from '../strategy.js';
import { resourceKind, type BodyKind } from './field-validation.js';

/** Builds the new object from the current one (absent when there is none: apply may create). */
export type Transform = (current: KubeObject | undefined) => KubeObject;

export interface ItemStorage {
  /** The kind request bodies decode as and patches apply to. */
  bodyKind: BodyKind;
  /** The Table columns of what get returns. */
  printer: Printer;
  get(): Promise<KubeObject>;
  /** Whether the object exists. */
  exists(): Promise<boolean>;
  /** Stores transform(current); retried on a conflict when the transform is a patch. */
  update(transform: Transform, ctx: WriteContext, retryOnConflict?: boolean): Promise<{ object: KubeObject; created: boolean }>;
}

/** The object itself, or its status (or another subresource with a strategy of its own). */
export function objectStorage(registry: Registry, namespace: string | undefined, name: string, printer: Printer): ItemStorage {
  return {
    bodyKind: resourceKind(registry.info),
    printer,
    get: () => registry.get(namespace, name),
    exists: async () => (await registry.tryGet(namespace, name)) !== undefined,
    update: (transform, ctx, retryOnConflict) => registry.update(namespace, name, transform, ctx, retryOnConflict),
  };
}

/** The object's autoscaling/v1 Scale: reads show it, writes change the object's replicas. */
export function scaleStorage(registry: Registry, namespace: string | undefined, name: string, scale: ScaleStrategy): ItemStorage {
  const info: ResourceInfo = registry.info;
  return {
    bodyKind: { apiVersion: 'autoscaling/v1', kind: 'Scale' },
    printer: scalePrinter,
    get: async () => scale.toScale(await registry.get(namespace, name)),
    exists: async () => (await registry.tryGet(namespace, name)) !== undefined,
    async update(transform, ctx, retryOnConflict) {
      const { object } = await registry.update(
        namespace,
        name,
        (cur) => {
          if (!cur) throw ApiError.notFound({ group: info.group, resource: info.resource }, name);
          return scale.fromScale(cur, transform(scale.toScale(cur)), info);
        },
        // A Scale write is a write of the object's spec (the main resource's strategy).
        { ...ctx, subresource: undefined },
        retryOnConflict,
      );
      return { object: scale.toScale(object), created: false };
    },
  };
}
