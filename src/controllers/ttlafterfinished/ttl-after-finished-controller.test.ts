import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../api/types.js';
import { timeLeftMs } from './ttl-after-finished-controller.js';

function job(ttl: number | undefined, finishedAt?: string): Job {
  return {
    metadata: { name: 'j' },
    spec: { ttlSecondsAfterFinished: ttl, template: { spec: { containers: [] } } },
    status: finishedAt ? { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: finishedAt }] } : {},
  };
}

test('a finished Job expires ttlSecondsAfterFinished after its terminal condition', () => {
  const now = Date.parse('2025-01-01T00:01:00Z');
  assert.equal(timeLeftMs(job(100, '2025-01-01T00:00:00Z'), now), 40_000);
  assert.equal(timeLeftMs(job(0, '2025-01-01T00:00:00Z'), now), -60_000);
  assert.equal(timeLeftMs(job(undefined, '2025-01-01T00:00:00Z'), now), undefined);
  assert.equal(timeLeftMs(job(100), now), undefined);
});
