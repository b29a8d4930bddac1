import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IngressClass } from '../api/types.js';
import { pickDefaultIngressClass } from './default-ingress-class-admission.js';

const cls = (name: string, created: string, isDefault?: string): IngressClass => ({
  metadata: { name, creationTimestamp: created, annotations: isDefault === undefined ? undefined : { 'ingressclass.kubernetes.io/is-default-class': isDefault } },
  spec: { controller: 'k8s.io/x' },
});

test('the default class is the one annotated "true"; none when no class is', () => {
  assert.equal(pickDefaultIngressClass([cls('a', '2026-01-01T00:00:00Z'), cls('b', '2026-01-01T00:00:00Z', 'false')]), undefined);
  assert.equal(pickDefaultIngressClass([cls('a', '2026-01-01T00:00:00Z'), cls('b', '2026-01-01T00:00:00Z', 'true')])?.metadata.name, 'b');
  // Only the exact string "true" counts.
  assert.equal(pickDefaultIngressClass([cls('a', '2026-01-01T00:00:00Z', 'True')]), undefined);
});

test('several defaults: the newest wins, equal times by name', () => {
  const older = cls('zeta', '2026-01-01T00:00:00Z', 'true');
  const newer = cls('beta', '2026-01-02T00:00:00Z', 'true');
  const sameTime = cls('alpha', '2026-01-02T00:00:00Z', 'true');
  assert.equal(pickDefaultIngressClass([older, newer])?.metadata.name, 'beta');
  assert.equal(pickDefaultIngressClass([older, newer, sameTime])?.metadata.name, 'alpha');
});
