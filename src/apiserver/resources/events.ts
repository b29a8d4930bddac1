// Events (upstream pkg/registry/core/event): core/v1 events, which recorders may PUT into
// existence; selectable by what they are about (kubectl describe lists them that way).
import type { Event } from '../../api/types.js';
import { validateEvent } from '../../api/validation/core-validation.js';
import { createRulesOnUpdate, defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';
import { eventPrinter } from '../../api/printers/event-printer.js';

function eventFields(ev: Event): Record<string, string> {
  const io = ev.involvedObject ?? {};
  return {
    'involvedObject.kind': io.kind ?? '',
    'involvedObject.namespace': io.namespace ?? '',
    'involvedObject.name': io.name ?? '',
    'involvedObject.uid': io.uid ?? '',
    'involvedObject.apiVersion': io.apiVersion ?? '',
    'involvedObject.resourceVersion': io.resourceVersion ?? '',
    'involvedObject.fieldPath': io.fieldPath ?? '',
    reason: ev.reason ?? '',
    reportingComponent: ev.reportingComponent ?? '',
    // events.k8s.io writers fill only reportingController; "source" falls back to it.
    source: ev.source?.component || ev.reportingComponent || '',
    type: ev.type ?? '',
  };
}

export const events: ResourceModule = {
  printer: eventPrinter,
  strategy: (info) =>
    defaultStrategy(info, {
      allowCreateOnUpdate: true,
      validate: (obj) => validateEvent(obj as Event),
      validateUpdate: createRulesOnUpdate((obj) => validateEvent(obj as Event)),
      fieldSelectors: {
        labels: [
          'involvedObject.kind',
          'involvedObject.namespace',
          'involvedObject.name',
          'involvedObject.uid',
          'involvedObject.apiVersion',
          'involvedObject.resourceVersion',
          'involvedObject.fieldPath',
          'reason',
          'reportingComponent',
          'source',
          'type',
          'metadata.namespace',
          'metadata.name',
        ],
        fields: (obj) => eventFields(obj as Event),
      },
    }),
};
