import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIService } from '../types.js';
import { validateAPIService, validateAPIServiceStatus } from './apiregistration-validation.js';

const svc = (name: string, spec: Partial<APIService['spec']>): APIService => ({
  metadata: { name },
  spec: { groupPriorityMinimum: 100, versionPriority: 100, ...spec },
});

test('ValidateAPIService: the name is version.group, with upstream\'s message', () => {
  assert.deepEqual(validateAPIService(svc('v1beta1.metrics.k8s.io', { group: 'metrics.k8s.io', version: 'v1beta1', service: { namespace: 'kube-system', name: 'metrics-server', port: 443 } })), []);
  const errs = validateAPIService(svc('metrics', { group: 'metrics.k8s.io', version: 'v1beta1' }));
  assert.deepEqual(errs.map((e) => [e.field, e.detail]), [['metadata.name', 'must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io"']]);
  assert.deepEqual(validateAPIService(svc('v1.', { group: '', version: 'v1' })), []);
});

test('ValidateAPIService: priorities, the core group, Local TLS settings and the service reference', () => {
  const errs = validateAPIService({
    metadata: { name: 'v2.' },
    spec: { group: '', version: 'v2', groupPriorityMinimum: 0, versionPriority: 1001, insecureSkipTLSVerify: true, caBundle: Buffer.from('abc').toString('base64') },
  });
  assert.deepEqual(
    errs.map((e) => [e.type, e.field, e.detail]),
    [
      ['FieldValueRequired', 'spec.group', 'only v1 may have an empty group and it better be legacy kube'],
      ['FieldValueInvalid', 'spec.groupPriorityMinimum', 'must be positive and less than 20000'],
      ['FieldValueInvalid', 'spec.versionPriority', 'must be positive and less than 1000'],
      ['FieldValueInvalid', 'spec.caBundle', 'local APIServices may not have a caBundle'],
      ['FieldValueInvalid', 'spec.insecureSkipTLSVerify', 'local APIServices may not have insecureSkipTLSVerify'],
    ],
  );
  assert.equal(errs[3].badValue, '3 bytes');
  const remote = validateAPIService(svc('v1.x.io', { group: 'x.io', version: 'v1', service: { port: 0 } }));
  assert.deepEqual(
    remote.map((e) => [e.field, e.detail]),
    [
      ['spec.service.namespace', ''],
      ['spec.service.name', ''],
      ['spec.service.port', 'port is not valid: must be between 1 and 65535, inclusive'],
    ],
  );
});

test('ValidateAPIServiceStatus: a condition says True, False or Unknown', () => {
  const s = svc('v1.x.io', { group: 'x.io', version: 'v1' });
  s.status = { conditions: [{ type: 'Available', status: 'Maybe' as 'True' }] };
  assert.deepEqual(validateAPIServiceStatus(s).map((e) => [e.field, e.detail]), [['status.conditions[0].status', 'supported values: "True", "False", "Unknown"']]);
});
