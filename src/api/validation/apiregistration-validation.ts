// APIService validation (k8s.io/kube-aggregator pkg/apis/apiregistration/validation), with
// upstream's messages and paths.
import { field, type FieldError } from '../errors.js';
import type { APIService } from '../types.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, isValidPortNum } from './names.js';
import { validateObjectMeta } from './object-meta.js';

/** ValidateAPIService: the name is <version>.<group>; a Local one has no TLS settings. */
export function validateAPIService(svc: APIService): FieldError[] {
  const spec = svc.spec ?? { groupPriorityMinimum: 0, versionPriority: 0 };
  const requiredName = `${spec.version ?? ''}.${spec.group ?? ''}`;
  const errs = validateObjectMeta(svc.metadata, false, (name) => {
    const segment = isValidPathSegmentName(name);
    if (segment.length) return segment;
    return name === requiredName ? [] : [`must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`];
  });
  const group = spec.group ?? '';
  const version = spec.version ?? '';
  // The core group is the one group/version without a group name.
  if (group === '' && version !== 'v1') errs.push(field.required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group !== '') for (const e of isDNS1123Subdomain(group)) errs.push(field.invalid('spec.group', group, e));
  for (const e of isDNS1035Label(version)) errs.push(field.invalid('spec.version', version, e));
  const groupPriority = spec.groupPriorityMinimum ?? 0;
  if (groupPriority <= 0 || groupPriority > 20000) errs.push(field.invalid('spec.groupPriorityMinimum', groupPriority, 'must be positive and less than 20000'));
  const versionPriority = spec.versionPriority ?? 0;
  if (versionPriority <= 0 || versionPriority > 1000) errs.push(field.invalid('spec.versionPriority', versionPriority, 'must be positive and less than 1000'));
  const caBytes = spec.caBundle ? Buffer.from(spec.caBundle, 'base64').length : 0;
  if (!spec.service) {
    if (caBytes) errs.push(field.invalid('spec.caBundle', `${caBytes} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  if (!spec.service.namespace) errs.push(field.required('spec.service.namespace', ''));
  if (!spec.service.name) errs.push(field.required('spec.service.name', ''));
  const port = spec.service.port ?? 0;
  const portErrs = isValidPortNum(port);
  if (portErrs.length) errs.push(field.invalid('spec.service.port', port, `port is not valid: ${portErrs.join(', ')}`));
  if (spec.insecureSkipTLSVerify && caBytes) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

/** ValidateAPIServiceStatus: conditions say True, False or Unknown. */
export function validateAPIServiceStatus(svc: APIService): FieldError[] {
  return (svc.status?.conditions ?? []).flatMap((c, i) =>
    ['True', 'False', 'Unknown'].includes(c.status) ? [] : [field.notSupported(`status.conditions[${i}].status`, c.status, ['True', 'False', 'Unknown'])],
  );
}
