// The module of one served version of a CustomResourceDefinition (upstream apiextensions-apiserver
// pkg/registry/customresource): built from the CRD when it is established and set in the module
// table for its ResourceInfo, so the generic registry and handlers serve custom objects as they
// serve built-in ones. ObjectMeta rules, generation tracking, the status and scale subresources
// as the version declares them, and the patch types upstream accepts for custom resources
// (no strategic merge patch: custom objects have no patch strategy tags), and the version's
// structural schema: pruning, defaulting and validation (api/validation/custom-resource-schema.ts).
import { customResourcePrinter, readJsonPath } from '../../api/printers/custom-resource-printer.js';
import type { CustomResourceDefinitionVersion, KubeObject } from '../../api/types.js';
import type { ScaleStrategy } from '../strategy.js';
import { replicaScale } from './scale-strategy.js';
import { nameIsDNSSubdomain } from '../../api/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/object-meta.js';
import { applyDefaults, prune, validateValue } from '../../api/validation/custom-resource-schema.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

export const customResourcePatchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

/** A simple JSON path (.spec.replicas) as its keys. */
const keys = (jsonPath: string): string[] => jsonPath.replace(/^\./, '').split('.').filter(Boolean);

function writePath(obj: Record<string, unknown>, jsonPath: string, value: unknown): void {
  const path = keys(jsonPath);
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

/** The scale subresource over the paths the CRD names (upstream customresource ScaleREST). */
function customResourceScale(paths: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string }): ScaleStrategy {
  const count = (v: unknown) => (typeof v === 'number' ? v : 0);
  return replicaScale({
    specReplicas: (obj) => count(readJsonPath(obj, paths.specReplicasPath)),
    statusReplicas: (obj) => count(readJsonPath(obj, paths.statusReplicasPath)),
    selector: (obj) => {
      const selector = paths.labelSelectorPath ? readJsonPath(obj, paths.labelSelectorPath) : undefined;
      return typeof selector === 'string' ? selector : undefined;
    },
    setReplicas: (obj, replicas) => writePath(obj as KubeObject & Record<string, unknown>, paths.specReplicasPath, replicas),
  });
}

export function customResourceModule(version: CustomResourceDefinitionVersion): ResourceModule {
  const scale = version.subresources?.scale;
  const schema = version.schema?.openAPIV3Schema;
  const validateSchema = (obj: KubeObject) => (schema ? validateValue(obj, schema, '', true) : []);
  return {
    // Pruning then defaulting, as upstream decodes a custom object.
    defaults: (obj) => {
      if (!schema) return;
      prune(obj, schema, true);
      applyDefaults(obj, schema);
    },
    // apimachinery's generic ObjectMeta rules (any qualified finalizer name), as upstream validates custom objects.
    strategy: (info) =>
      defaultStrategy(info, {
        tracksGeneration: true,
        validate: (obj) => [...validateObjectMeta(obj.metadata, info.namespaced, nameIsDNSSubdomain, 'metadata', false), ...validateSchema(obj)],
        validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata, 'metadata', false), ...validateSchema(obj)],
        validateStatusUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata, 'metadata', false), ...validateSchema(obj)],
      }),
    printer: customResourcePrinter(version.additionalPrinterColumns),
    ...(scale ? { scale: customResourceScale(scale) } : {}),
    patchTypes: customResourcePatchTypes,
  };
}
