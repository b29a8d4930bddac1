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
import type { FieldSelectors } from '../../api/fields.js';
import { replicaScale } from './scale-strategy.js';
import { nameIsDNSSubdomain } from '../../api/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/object-meta.js';
import { applyDefaults, prune, validateValue } from '../../api/validation/custom-resource-schema.js';
import { validateRules } from '../../api/validation/custom-resource-cel.js';
import { ApiError, field } from '../../api/errors.js';
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

/**
 * Field selectors of a custom resource (upstream crConverter.ConvertFieldLabel and the
 * strategy's selectable field set): metadata.name, metadata.namespace when namespaced, and the
 * version's selectableFields; any other label is "field label not supported". A selectable
 * field absent from an object selects as the empty string.
 */
export function customResourceFieldSelectors(selectable: string[], namespaced: boolean): FieldSelectors {
  const names = selectable.map((p) => p.replace(/^\./, ''));
  return {
    labels: ['metadata.name', ...(namespaced ? ['metadata.namespace'] : []), ...names],
    fields: (obj) => {
      const out: Record<string, string> = {};
      names.forEach((name, i) => {
        const v = readJsonPath(obj, selectable[i]);
        out[name] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
      });
      return out;
    },
  };
}

/** upstream crdHandler: no new objects while the CRD's instances are being deleted. */
function refuseWhileTerminating(info: { group: string; resource: string }): never {
  const err = new ApiError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating', {
    group: info.group,
    kind: info.resource,
  });
  throw err;
}

/**
 * The module serving one version; terminating: the CRD is being deleted (its Terminating
 * condition is True), when creates are refused.
 */
export function customResourceModule(version: CustomResourceDefinitionVersion, crd?: { group: string; resource: string; terminating: boolean }): ResourceModule {
  const scale = version.subresources?.scale;
  const schema = version.schema?.openAPIV3Schema;
  // The schema's value validations, then its CEL rules (transition rules see the stored object),
  // awaited: expensive rules run off the event loop.
  const validateSchema = async (obj: KubeObject, old?: KubeObject) => {
    if (!schema) return [];
    const errs = validateValue(obj, schema, '', true);
    // A value of the wrong type blocks the rules (upstream hasBlockingErr), which says so.
    if (errs.some((e) => e.detail?.includes(' in body must be of type '))) {
      return [...errs, field.invalid('<nil>', 'null', 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation')];
    }
    return [...errs, ...(await validateRules(obj, old, schema))];
  };
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
        // Upstream's customresource strategy deletes a new object's status (a custom status may
        // have required fields: an empty one would be invalid, as HTTPRoute's status.parents).
        prepareForCreate: (obj) => {
          if (info.subresources.some((s) => s.name === 'status')) delete obj.status;
        },
        fieldSelectors: customResourceFieldSelectors((version.selectableFields ?? []).map((f) => f.jsonPath), info.namespaced),
        validate: (obj) => validateObjectMeta(obj.metadata, info.namespaced, nameIsDNSSubdomain, 'metadata', false),
        validateUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata, 'metadata', false),
        validateStatusUpdate: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata, 'metadata', false),
        validateAsync: validateSchema,
      }),
    printer: customResourcePrinter(version.additionalPrinterColumns),
    ...(scale ? { scale: customResourceScale(scale) } : {}),
    patchTypes: customResourcePatchTypes,
    ...(crd?.terminating ? { admitCreate: async () => refuseWhileTerminating(crd) } : {}),
  };
}
