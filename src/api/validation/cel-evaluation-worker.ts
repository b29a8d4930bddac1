// The worker thread of CelEvaluationWorker: evaluates one expression per message with the
// same environment as the event loop's, and answers with the value or the error.
import { parentPort } from 'node:worker_threads';
import { celEvaluation } from './cel-evaluation.js';

parentPort?.on('message', ({ expression, activation }: { expression: string; activation: Record<string, unknown> }) => {
  try {
    parentPort?.postMessage({ ok: true, value: celEvaluation.evaluate(expression, activation) });
  } catch (e) {
    const err = e as { summary?: string; message?: string };
    parentPort?.postMessage({ ok: false, error: { summary: err.summary, message: String(err.message ?? e) } });
  }
});
