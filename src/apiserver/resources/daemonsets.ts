// DaemonSets (upstream pkg/registry/apps/daemonset): metadata.generation tracks spec changes;
// the template generation (internal spec.templateGeneration, served in apps/v1 as the
// deprecated.daemonset.template.generation annotation) starts at 1 and goes up by one with
// each template change, whatever the client sent; a new DaemonSet's status shows its four
// required counts at 0. apps/v1 registers no field-label conversion, so only metadata.name
// and metadata.namespace select.
import { templateGenerationAnnotation, templateGenerationOf } from '../../api/daemonset-template-generation.js';
import type { DaemonSet, KubeObject } from '../../api/types.js';
import { defaultDaemonSet } from '../../api/defaults/daemonset.js';
import { jsonEqual } from '../../api/validation/object-meta.js';
import { validateDaemonSet, validateDaemonSetStatusUpdate, validateDaemonSetUpdate } from '../../api/validation/daemonset-validation.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

/** The stored template generation; 0 (the internal field's zero value) when absent or not a number. */
function templateGeneration(obj: KubeObject): number {
  return templateGenerationOf(obj) ?? 0;
}

function setTemplateGeneration(obj: KubeObject, generation: number): void {
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [templateGenerationAnnotation]: String(generation) };
}

export const daemonsets: ResourceModule = {
  defaults(obj) {
    if ((obj as DaemonSet).spec) defaultDaemonSet(obj as DaemonSet);
  },
  strategy: (info) =>
    defaultStrategy(info, {
      tracksGeneration: true,
      prepareForCreate(obj) {
        obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
        setTemplateGeneration(obj, Math.max(1, templateGeneration(obj)));
      },
      prepareForUpdate(obj, old) {
        // Update may not set the template generation: it is the stored one, bumped on a template change.
        const changed = !jsonEqual((obj as DaemonSet).spec?.template, (old as DaemonSet).spec?.template);
        setTemplateGeneration(obj, templateGeneration(old) + (changed ? 1 : 0));
      },
      validate: (obj) => validateDaemonSet(obj as DaemonSet),
      validateUpdate: (obj, old) => validateDaemonSetUpdate(obj as DaemonSet, old as DaemonSet),
      validateStatusUpdate: (obj, old) => validateDaemonSetStatusUpdate(obj as DaemonSet, old as DaemonSet),
    }),
};
