import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.js';
import { clearedDisruptionTarget, staleDisruptionIn, stalePodDisruptionTimeoutMs } from './stale-disruption.js';

const now = new Date('2025-01-01T12:00:00Z');

function pod(reason: string, ago: number, extra: Partial<Pod['metadata']> = {}, phase: NonNullable<Pod['status']>['phase'] = 'Running'): Pod {
  return {
    metadata: { name: 'p', ...extra },
    spec: { containers: [] },
    status: { phase, conditions: [{ type: 'DisruptionTarget', status: 'True', reason, message: 'Eviction API: evicting', lastTransitionTime: new Date(now.getTime() - ago).toISOString() }] },
  };
}

test('an eviction mark on a live pod goes stale after the timeout', () => {
  assert.equal(staleDisruptionIn(pod('EvictionByEvictionAPI', 30_000), now), stalePodDisruptionTimeoutMs - 30_000);
  assert.equal(staleDisruptionIn(pod('EvictionByEvictionAPI', stalePodDisruptionTimeoutMs + 1), now), 0);
});

test('never stale: a pod being deleted, a finished one, the kubelet\'s own mark', () => {
  assert.equal(staleDisruptionIn(pod('EvictionByEvictionAPI', 0, { deletionTimestamp: now.toISOString() }), now), undefined);
  assert.equal(staleDisruptionIn(pod('EvictionByEvictionAPI', 0, {}, 'Failed'), now), undefined);
  assert.equal(staleDisruptionIn(pod('TerminationByKubelet', 10 * stalePodDisruptionTimeoutMs), now), undefined);
});

test('clearing keeps reason and message, sets False now', () => {
  assert.deepEqual(clearedDisruptionTarget(pod('EvictionByEvictionAPI', 1), now), [
    { type: 'DisruptionTarget', status: 'False', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: '2025-01-01T12:00:00Z' },
  ]);
});
