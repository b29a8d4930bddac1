import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, Pod } from '../../api/types.js';
import { indexBackoffRemainingMs, indexFailures, isIndexFailed } from './backoff-limit-per-index.js';

const job: Job = { metadata: { name: 'j' }, spec: { completions: 3, completionMode: 'Indexed', backoffLimitPerIndex: 1, template: { spec: { containers: [] } } } };

function failed(index: number, before: number, finishedAt: string): Pod {
  return {
    metadata: { annotations: { 'batch.kubernetes.io/job-completion-index': String(index), 'batch.kubernetes.io/job-index-failure-count': String(before) } },
    spec: { containers: [] },
    status: { phase: 'Failed', containerStatuses: [{ name: 'c', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt } } }] },
  };
}

test('an index fails for good once a pod fails with its count at the limit, or by a FailIndex rule', () => {
  assert.equal(isIndexFailed(job, failed(0, 0, '2025-01-01T00:00:00Z'), false), false);
  assert.equal(isIndexFailed(job, failed(0, 1, '2025-01-01T00:00:00Z'), false), true);
  assert.equal(isIndexFailed(job, failed(0, 0, '2025-01-01T00:00:00Z'), true), true);
});

test('failures per index come from the latest failed pod; each index backs off on its own', () => {
  const now = Date.parse('2025-01-01T00:00:05Z');
  const f = indexFailures(job, [failed(2, 0, '2025-01-01T00:00:00Z'), failed(2, 1, '2025-01-01T00:00:04Z'), failed(1, 0, '2025-01-01T00:00:01Z')], now);
  assert.deepEqual(f.get(2), { count: 2, lastFailure: Date.parse('2025-01-01T00:00:04Z') });
  assert.equal(indexBackoffRemainingMs(f.get(2), now), 19_000);
  assert.equal(indexBackoffRemainingMs(f.get(1), now), 6000);
  assert.equal(indexBackoffRemainingMs(f.get(0), now), 0);
});
