// core/v1 LimitRange defaults (SetDefaults_LimitRangeItem): a Container entry's default limit
// falls back to its max, its default request to the default limit, then to its min.
import type { LimitRange, Quantity } from '../types.js';

function fillFrom(into: Record<string, Quantity>, from: Record<string, Quantity> | undefined): void {
  for (const [k, v] of Object.entries(from ?? {})) if (!(k in into)) into[k] = v;
}

export function defaultLimitRange(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    item.default ??= {};
    item.defaultRequest ??= {};
    fillFrom(item.default, item.max);
    fillFrom(item.defaultRequest, item.default);
    fillFrom(item.defaultRequest, item.min);
  }
}
