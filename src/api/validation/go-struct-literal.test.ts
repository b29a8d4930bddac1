import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goStructLiteral } from './go-struct-literal.js';

const text = (message: string, v: unknown) => goStructLiteral(message, v).goString();

test('quantities as ParseQuantity leaves them: digits and scale as written, the string only when canonical', () => {
  const req = (q: Record<string, string>) => text('core.v1.ResourceRequirements', { requests: q });
  assert.equal(
    req({ cpu: '100m' }),
    'core.ResourceRequirements{Limits:core.ResourceList(nil), Requests:core.ResourceList{"cpu":resource.Quantity{i:resource.int64Amount{value:100, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"100m", Format:"DecimalSI"}}, Claims:[]core.ResourceClaim(nil)}',
  );
  assert.match(req({ memory: '64Mi' }), /value:67108864, scale:0}, d:resource\.infDecAmount\{Dec:\(\*inf\.Dec\)\(nil\)\}, s:"", Format:"BinarySI"/);
  assert.match(req({ memory: '1Gi' }), /value:1073741824, scale:0}.*s:"1Gi", Format:"BinarySI"/);
  assert.match(req({ cpu: '1000' }), /value:1000, scale:0}.*s:"", Format:"DecimalSI"/);
  assert.match(req({ cpu: '1.5' }), /value:15, scale:-1}.*s:"", Format:"DecimalSI"/);
  assert.match(req({ cpu: '1e3' }), /value:1, scale:3}.*s:"1e3", Format:"DecimalExponent"/);
  assert.match(req({ memory: '1.5Gi' }), /value:0, scale:0}, d:resource\.infDecAmount\{Dec:\(\*inf\.Dec\)\(0xc0005a1c00\)\}, s:"", Format:"BinarySI"/);
});

test('times print through GoString, pointers as type and address in order, embedded structs by type name', () => {
  const meta = text('core.v1.PodTemplateSpec', { metadata: { creationTimestamp: '2024-05-01T10:02:03Z', deletionTimestamp: '2024-05-01T10:02:04Z', deletionGracePeriodSeconds: 30 } });
  assert.match(meta, /^core\.PodTemplateSpec\{ObjectMeta:v1\.ObjectMeta\{/);
  assert.match(meta, /CreationTimestamp:time\.Date\(2024, time\.May, 1, 10, 2, 3, 0, time\.Local\), DeletionTimestamp:time\.Date\(2024, time\.May, 1, 10, 2, 4, 0, time\.Local\), DeletionGracePeriodSeconds:\(\*int64\)\(0xc0005a1c00\)/);
  assert.match(meta, /, Spec:core\.PodSpec\{Volumes:\[\]core\.Volume\(nil\), /);
  const volume = text('core.v1.PodSpec', { volumes: [{ name: 'data', emptyDir: {} }] });
  assert.match(volume, /Volumes:\[\]core\.Volume\{core\.Volume\{Name:"data", VolumeSource:core\.VolumeSource\{HostPath:\(\*core\.HostPathVolumeSource\)\(nil\), EmptyDir:\(\*core\.EmptyDirVolumeSource\)\(0xc0005a1c00\), /);
  // The internal PodSpec has no host namespace fields (they live in its SecurityContext).
  assert.doesNotMatch(text('core.v1.PodSpec', { hostNetwork: true }), /HostNetwork|DeprecatedServiceAccount/);
});
