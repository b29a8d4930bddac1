import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ingress, IngressClass } from '../api/types.js';
import { isServedIngress, kanzenIngressController } from './ingress-class.js';

function ingressClass(name: string, controller: string, isDefault = false, created = '2026-01-01T00:00:00Z'): IngressClass {
  const annotations = isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : undefined;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, annotations, creationTimestamp: created }, spec: { controller } };
}

function ingress(className?: string, annotation?: string): Ingress {
  const annotations = annotation ? { 'kubernetes.io/ingress.class': annotation } : undefined;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'default', annotations }, spec: { ingressClassName: className } };
}

const kanzen = ingressClass('kanzen', kanzenIngressController, true);
const nginx = ingressClass('nginx', 'k8s.io/ingress-nginx');

test('an Ingress naming a class is served when that class is ours', () => {
  assert.equal(isServedIngress(ingress('kanzen'), [kanzen, nginx]), true);
  assert.equal(isServedIngress(ingress('nginx'), [kanzen, nginx]), false);
  // A class of another name with our controller is ours too.
  assert.equal(isServedIngress(ingress('mine'), [ingressClass('mine', kanzenIngressController)]), true);
});

test('a class that does not exist is nobody\'s', () => {
  assert.equal(isServedIngress(ingress('kanzen'), []), false);
});

test('the legacy annotation names a class like spec.ingressClassName', () => {
  assert.equal(isServedIngress(ingress(undefined, 'kanzen'), [kanzen, nginx]), true);
  assert.equal(isServedIngress(ingress(undefined, 'nginx'), [kanzen, nginx]), false);
});

test('an Ingress naming no class is served when the default class is ours', () => {
  assert.equal(isServedIngress(ingress(), [kanzen, nginx]), true);
  assert.equal(isServedIngress(ingress(), [ingressClass('kanzen', kanzenIngressController), nginx]), false);
  // Of two defaults the newest wins, as the DefaultIngressClass admission picks.
  const newerNginx = ingressClass('nginx', 'k8s.io/ingress-nginx', true, '2026-02-01T00:00:00Z');
  assert.equal(isServedIngress(ingress(), [kanzen, newerNginx]), false);
});
