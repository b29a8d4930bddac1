// HorizontalPodAutoscalers (upstream pkg/registry/autoscaling/horizontalpodautoscaler): stored as
// autoscaling/v2 and served as autoscaling/v1 too, by conversion (api/conversion/autoscaling-v1.ts); a create starts with an empty status, spec writes keep the status and status
// writes keep the spec (the default strategy's status subresource). No generation is kept (the
// upstream strategy sets none). The HPAConfigurableTolerance feature (alpha in 1.33, off) is not
// enabled, so a behavior's tolerance is dropped unless the stored object already uses one
// (dropDisabledFields).
import type { AutoscalingV1HorizontalPodAutoscaler, HorizontalPodAutoscaler, HorizontalPodAutoscalerBehavior } from '../../api/types.js';
import { defaultHorizontalPodAutoscaler, defaultHorizontalPodAutoscalerV1 } from '../../api/defaults/horizontalpodautoscaler.js';
import { horizontalPodAutoscalerFromV1, horizontalPodAutoscalerToV1, withoutRoundTripAnnotations } from '../../api/conversion/autoscaling-v1.js';
import {
  validateHorizontalPodAutoscaler,
  validateHorizontalPodAutoscalerStatusUpdate,
  validateHorizontalPodAutoscalerUpdate,
} from '../../api/validation/autoscaling-validation.js';
import { horizontalPodAutoscalerPrinter } from '../../api/printers/horizontalpodautoscaler-printer.js';
import { defaultStrategy } from './default-strategy.js';
import type { ResourceModule } from './resource-module.js';

const usesTolerance = (b: HorizontalPodAutoscalerBehavior | undefined | null) => b?.scaleUp?.tolerance != null || b?.scaleDown?.tolerance != null;

function dropTolerance(hpa: HorizontalPodAutoscaler): void {
  const behavior = hpa.spec?.behavior;
  if (behavior?.scaleUp) delete behavior.scaleUp.tolerance;
  if (behavior?.scaleDown) delete behavior.scaleDown.tolerance;
}

export const horizontalpodautoscalers: ResourceModule = {
  printer: horizontalPodAutoscalerPrinter,
  defaults(obj) {
    // v1's round-trip annotations never reach storage, whichever version a request came in.
    obj.metadata = withoutRoundTripAnnotations(obj.metadata);
    if ((obj as HorizontalPodAutoscaler).spec) defaultHorizontalPodAutoscaler(obj as HorizontalPodAutoscaler);
  },
  conversions: {
    v1: {
      defaults(obj) {
        if ((obj as AutoscalingV1HorizontalPodAutoscaler).spec) defaultHorizontalPodAutoscalerV1(obj as AutoscalingV1HorizontalPodAutoscaler);
      },
      toStorage: (obj) => horizontalPodAutoscalerFromV1(obj as AutoscalingV1HorizontalPodAutoscaler),
      fromStorage: (obj) => horizontalPodAutoscalerToV1(obj as HorizontalPodAutoscaler),
    },
  },
  strategy: (info) =>
    defaultStrategy(info, {
      prepareForCreate(obj) {
        // A new status as Go writes an empty one: desiredReplicas and currentMetrics have no omitempty.
        obj.status = { desiredReplicas: 0, currentMetrics: null };
        dropTolerance(obj as HorizontalPodAutoscaler);
      },
      prepareForUpdate(obj, old) {
        if (!usesTolerance((old as HorizontalPodAutoscaler).spec?.behavior)) dropTolerance(obj as HorizontalPodAutoscaler);
      },
      validate: (obj) => validateHorizontalPodAutoscaler(obj as HorizontalPodAutoscaler),
      validateUpdate: (obj, old) => validateHorizontalPodAutoscalerUpdate(obj as HorizontalPodAutoscaler, old as HorizontalPodAutoscaler),
      validateStatusUpdate: (obj, old) => validateHorizontalPodAutoscalerStatusUpdate(obj as HorizontalPodAutoscaler, old as HorizontalPodAutoscaler),
    }),
};
