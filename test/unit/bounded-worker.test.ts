// The worker helper the scorer's robustness tests rely on must turn each way a
// call can go wrong into a failure that says what happened: a throw, a result
// that cannot cross threads, and a stall past the bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callInWorker } from '../helpers/bounded-worker.js';
import { returnsAFunction, spinsForever, throwsInside } from '../helpers/bounded-worker-fixtures.js';

const FIXTURES = new URL('../helpers/bounded-worker-fixtures.ts', import.meta.url);

test('a throw in the worker rejects with that error', async () => {
  await assert.rejects(callInWorker(FIXTURES, throwsInside, [], { stall: 'unused', seconds: 20 }), /thrown inside the worker/);
});

test('a result that cannot cross threads rejects with a message saying so', async () => {
  await assert.rejects(callInWorker(FIXTURES, returnsAFunction, [], { stall: 'unused', seconds: 20 }), /returnsAFunction returned a value that cannot cross threads/);
});

test('a call past its bound fails naming the function and the stall, and the worker is stopped', async () => {
  await assert.rejects(callInWorker(FIXTURES, spinsForever, [], { stall: 'the loop never ends', seconds: 1 }), /spinsForever did not finish within 1 s: the loop never ends/);
});
