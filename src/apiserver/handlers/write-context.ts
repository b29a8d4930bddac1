// The options every write carries in its query (upstream: metav1.CreateOptions,
// UpdateOptions, PatchOptions, DeleteOptions): dryRun and fieldManager.
import { ApiError } from '../../api/errors.js';
import type { WriteContext } from '../registry.js';
import type { UserInfo } from '../user-info.js';

/** user: who asks, for the writes whose content is authorized too (RBAC's escalation check). */
export function writeContext(url: URL, subresource?: string, user?: UserInfo): WriteContext {
  const dryRun = url.searchParams.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All')) throw ApiError.badRequest(`Invalid dry run value: ${dryRun.join(',')}`);
  return { dryRun: dryRun.length > 0, fieldManager: url.searchParams.get('fieldManager') ?? undefined, subresource, user };
}
