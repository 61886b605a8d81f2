import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySenderStore } from '../../adapters/memory/sender-store.js';
import { TestClock, HOUR } from './helpers.js';

const rec = (n: number) => ({ tenantId: 't', sender: 's', autoUnlocks: n, firstSeenAt: 'x', lastSeenAt: 'x' });

test('save succeeds only when the expected version matches, and bumps it', async () => {
  const store = new MemorySenderStore(new TestClock());
  assert.equal(await store.save(rec(0), 0), true);
  assert.equal(await store.save(rec(1), 0), false, 'a second create must lose');
  const cur = await store.get('t', 's');
  assert.equal(cur?.version, 1);
  assert.equal(await store.save(rec(2), 1), true);
  assert.equal(await store.save(rec(3), 1), false, 'a stale version must lose');
  assert.equal((await store.get('t', 's'))?.autoUnlocks, 2);
});

test('a record read from the store is a copy the caller cannot change in place', async () => {
  const store = new MemorySenderStore(new TestClock());
  await store.save(rec(0), 0);
  const a = await store.get('t', 's');
  a!.autoUnlocks = 99;
  assert.equal((await store.get('t', 's'))?.autoUnlocks, 0);
});

test('counters add atomically and vanish after their time to live', async () => {
  const clock = new TestClock();
  const store = new MemorySenderStore(clock);
  await Promise.all(Array.from({ length: 50 }, () => store.increment('t', 's', 'h:1', { messages: 1, recipients: 2 }, 3600)));
  assert.deepEqual(await store.increment('t', 's', 'h:1', { messages: 0, recipients: 0 }, 3600), { messages: 50, recipients: 100 });
  assert.deepEqual(await store.increment('t', 's', 'h:1', { messages: 0 }, 3600), { messages: 50 }, 'only named counters come back, as in SQL and DynamoDB');
  clock.advance(HOUR + 1);
  assert.deepEqual(await store.increment('t', 's', 'h:1', { messages: 1 }, 3600), { messages: 1 });
});
