// Contract: sender state is compare-and-set and counters are atomic, even
// when two independent handles (two workers, two Lambdas) write at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SenderRecord } from '../../core/model.js';
import type { SenderStore } from '../../core/ports.js';
import { TestClock, type StoresFactory } from './factory.js';

const base = (sender = 'a@x.test'): SenderRecord => ({
  tenantId: 't1', sender, autoUnlocks: 0, firstSeenAt: '2026-06-01T12:00:00.000Z', lastSeenAt: '2026-06-01T12:00:00.000Z',
});

/** Read-modify-write with retry on a lost race, the way core/reputation updates a sender. */
async function bumpUnlocks(store: SenderStore, sender: string): Promise<number> {
  for (let attempt = 1; attempt <= 200; attempt++) {
    const cur = await store.get('t1', sender);
    const { version, ...rec } = cur ?? { ...base(sender), version: 0 };
    if (await store.save({ ...rec, autoUnlocks: rec.autoUnlocks + 1 }, version)) return attempt;
  }
  throw new Error('no progress after 200 attempts');
}

export function senderStoreContract(factory: StoresFactory): void {
  test('a sender save with a stale version is refused and changes nothing', async () => {
    const s = await factory(new TestClock());
    try {
      assert.equal(await s.senders.save(base(), 0), true);
      assert.equal(await s.senders.save(base(), 0), false, 'version 0 means "must not exist yet"');
      assert.equal((await s.senders.get('t1', 'a@x.test'))?.version, 1);
      assert.equal(await s.senders.save({ ...base(), autoUnlocks: 1 }, 1), true);
      assert.equal(await s.senders.save({ ...base(), autoUnlocks: 2 }, 1), false);
      const cur = await s.senders.get('t1', 'a@x.test');
      assert.equal(cur?.autoUnlocks, 1);
      assert.equal(cur?.version, 2);
      assert.equal(await s.senders.get('t1', 'nobody@x.test'), undefined);
    } finally { await s.close(); }
  });

  test('lock state round-trips and senders are listed per tenant', async () => {
    const s = await factory(new TestClock());
    try {
      const lock = { reason: 'spam burst', lockedAt: '2026-06-01T12:00:00.000Z', by: 'auto' as const, until: '2026-06-01T13:00:00.000Z', evidence: { signals: ['hourly-limit'], messageIds: ['m1'] } };
      await s.senders.save({ ...base('b@x.test'), lock }, 0);
      await s.senders.save(base('a@x.test'), 0);
      await s.senders.save({ ...base('c@x.test'), tenantId: 't2' }, 0);
      assert.deepEqual((await s.senders.get('t1', 'b@x.test'))?.lock, lock);
      assert.deepEqual((await s.senders.list('t1')).map((r) => r.sender), ['a@x.test', 'b@x.test']);
      assert.equal((await s.senders.list('t1')).every((r) => !('version' in r)), true, 'list returns plain records');
    } finally { await s.close(); }
  });

  test('two writers incrementing one sender\'s counters concurrently lose no update', async () => {
    const s = await factory(new TestClock());
    const other = await s.reopen();
    try {
      await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? s : other).senders.increment('t1', 'a@x.test', 'h:2026-06-01T12', { messages: 1, recipients: 3 }, 3600)));
      const last = await s.senders.increment('t1', 'a@x.test', 'h:2026-06-01T12', { messages: 0, recipients: 0 }, 3600);
      assert.deepEqual(last, { messages: 120, recipients: 360 });
      const other_bucket = await s.senders.increment('t1', 'a@x.test', 'h:2026-06-01T13', { messages: 1 }, 3600);
      assert.deepEqual(other_bucket, { messages: 1 });
    } finally { await other.close(); await s.close(); }
  });

  test('two writers doing compare-and-set on one sender record lose no update', async () => {
    const s = await factory(new TestClock());
    const other = await s.reopen();
    try {
      const attempts = await Promise.all(Array.from({ length: 16 }, (_, i) => bumpUnlocks((i % 2 ? s : other).senders, 'hot@x.test')));
      assert.equal((await s.senders.get('t1', 'hot@x.test'))?.autoUnlocks, 16);
      assert.equal((await s.senders.get('t1', 'hot@x.test'))?.version, 16);
      assert.ok(attempts.some((n) => n > 1), 'the writers really raced (some saves were refused and retried)');
    } finally { await other.close(); await s.close(); }
  });

  test('a counter starts afresh once its time to live has passed', async () => {
    const clock = new TestClock();
    const s = await factory(clock);
    try {
      await s.senders.increment('t1', 'a@x.test', 'w', { messages: 5 }, 60);
      clock.advance(30);
      assert.deepEqual(await s.senders.increment('t1', 'a@x.test', 'w', { messages: 1 }, 60), { messages: 6 });
      clock.advance(31);
      assert.deepEqual(await s.senders.increment('t1', 'a@x.test', 'w', { messages: 1 }, 60), { messages: 1 });
    } finally { await s.close(); }
  });
}
