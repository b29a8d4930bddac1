import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CelDeadlineExceeded, CelEvaluationWorker } from './cel-evaluation.js';

test('the worker evaluates with the Kubernetes libraries and passes errors back', async () => {
  const w = new CelEvaluationWorker(10_000);
  try {
    assert.equal(await w.evaluate('self.items.all(x, x > 0) && quantity(self.q).isLessThan(quantity("1Gi"))', { self: { items: [1n, 2n], q: '1Mi' } }), true);
    await assert.rejects(w.evaluate('self.missing > 1', { self: {} }), (e: { message: string }) => /missing/i.test(e.message));
  } finally {
    await w.close();
  }
});

test('an evaluation past its deadline terminates the worker; the next one gets a new worker', async () => {
  const w = new CelEvaluationWorker(300);
  try {
    // JavaScript's backtracking makes this exponential (RE2, upstream's, is linear).
    const catastrophic = w.evaluate('self.s.matches("^(a+)+$")', { self: { s: `${'a'.repeat(40)}!` } });
    const queued = w.evaluate('1 + 1 == 2', {});
    await assert.rejects(catastrophic, CelDeadlineExceeded);
    assert.equal(await queued, true);
  } finally {
    await w.close();
  }
});
