import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_SIZE, pageSize } from '../../core/paging.js';

test('a store serves the default page without a usable limit, and clamps the rest to 1 … 500', () => {
  assert.equal(pageSize(undefined), PAGE_SIZE.default);
  assert.equal(pageSize(Number.NaN), PAGE_SIZE.default);
  assert.equal(pageSize(0), PAGE_SIZE.default);
  assert.equal(pageSize(-3), 1);
  assert.equal(pageSize(7.9), 7);
  assert.equal(pageSize(500), 500);
  assert.equal(pageSize(10_000), PAGE_SIZE.max);
});
