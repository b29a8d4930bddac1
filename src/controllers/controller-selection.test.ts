import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerEnabled, unknownControllerErrors } from './controller-selection.js';

test("'*' enables all, '-foo' disables foo, and the first item naming a controller decides", () => {
  assert.equal(controllerEnabled('job', ['*']), true);
  assert.equal(controllerEnabled('job', ['*', '-job']), false);
  assert.equal(controllerEnabled('job', ['-job', '*']), false);
  assert.equal(controllerEnabled('job', ['job', '-job']), true);
  assert.equal(controllerEnabled('job', ['cronjob']), false);
  assert.equal(controllerEnabled('job', []), false);
});

test('an item that names no known controller is an error, with or without its dash', () => {
  assert.deepEqual(unknownControllerErrors(['*', '-job', 'cronjob'], ['job', 'cronjob']), []);
  assert.deepEqual(unknownControllerErrors(['*', '-hpa', 'nope'], ['job']), ['"hpa" is not in the list of known controllers', '"nope" is not in the list of known controllers']);
});
