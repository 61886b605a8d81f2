// Contract: a sender's known recipients expire 180 days after the sender last
// wrote to them (sliding expiry), a repeat contact within the refresh period
// (a week) writes nothing, and of two writers noting one new recipient at
// once exactly one sees it as new. Run through core's noteRecipients (the
// rule) on each store (the reads and compare-and-sets). On DynamoDB an
// entry's expiry is the item's TTL attribute, read back as it is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucket } from '../../core/reputation/counters.js';
import { noteRecipients } from '../../core/reputation/known-recipients.js';
import type { KnownRecipientEntry } from '../../core/reputation/ports.js';
import type { SenderStore } from '../../core/ports.js';
import { TestClock, type StoresFactory } from './factory.js';

const DAY = 86_400;
const SENDER = 'alice@example.com';
const BOB = 'bob@example.net';

/**
 * Far ahead of the wall clock: DynamoDB Local may delete items whose TTL is
 * in its own past, and these tests move the clock past 180-day expiries.
 */
const START = Date.UTC(2040, 0, 1, 12, 0, 0);

async function entryOf(store: SenderStore, rcpt: string): Promise<KnownRecipientEntry | undefined> {
  const [e] = await store.getKnownRecipients('t1', SENDER, [bucket.known(rcpt)], true);
  return e;
}

/** Whether `rcpt` was new to the sender on this contact. */
async function contact(store: SenderStore, clock: TestClock): Promise<boolean> {
  const [isNew] = await noteRecipients(store, 't1', SENDER, [BOB], clock.now());
  return isNew!;
}

export function knownRecipientsContract(factory: StoresFactory): void {
  test('a recipient written to again before it expires stays known past 180 days after the first contact', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      assert.equal(await contact(s.senders, clock), true, 'first contact: new');
      clock.advance(150 * DAY);
      assert.equal(await contact(s.senders, clock), false);
      clock.advance(100 * DAY); // 250 days after the first contact, 100 after the last
      assert.equal(await contact(s.senders, clock), false, 'still known: expiry counts from the last contact');
      assert.deepEqual(await entryOf(s.senders, BOB), { lastContactAt: START + 250 * DAY * 1000, expiresAt: START + 430 * DAY * 1000 });
    } finally { await s.close(); }
  });

  test('a recipient not written to again is new once 180 days have passed since the last contact', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      assert.equal(await contact(s.senders, clock), true);
      clock.advance(30 * DAY);
      assert.equal(await contact(s.senders, clock), false, 'refreshed: the last contact is now day 30');
      clock.advance(180 * DAY - 1);
      assert.equal((await entryOf(s.senders, BOB))?.expiresAt, START + 210 * DAY * 1000, 'not yet expired (one second left)');
      clock.advance(1);
      assert.equal(await contact(s.senders, clock), true, 'expired 180 days after the last contact: new again');
      assert.deepEqual(await entryOf(s.senders, BOB), { lastContactAt: clock.now().getTime(), expiresAt: clock.now().getTime() + 180 * DAY * 1000 });
    } finally { await s.close(); }
  });

  test('repeat contacts within a week of the stored last contact do not rewrite the entry; the first one after a week moves its expiry', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      assert.equal(await contact(s.senders, clock), true);
      const first = await entryOf(s.senders, BOB);
      assert.deepEqual(first, { lastContactAt: START, expiresAt: START + 180 * DAY * 1000 });
      for (const step of [60, 3600, 2 * DAY, 4 * DAY, DAY - 3661]) { // up to one second short of a week
        clock.advance(step);
        assert.equal(await contact(s.senders, clock), false);
        assert.deepEqual(await entryOf(s.senders, BOB), first, `unchanged ${(clock.now().getTime() - START) / 1000} s after the first contact`);
      }
      clock.advance(1);
      assert.equal(await contact(s.senders, clock), false);
      assert.deepEqual(await entryOf(s.senders, BOB), { lastContactAt: START + 7 * DAY * 1000, expiresAt: START + 187 * DAY * 1000 });
    } finally { await s.close(); }
  });

  test('an entry left by the old first-contact counter counts as known and gets a last contact on its next contact', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    try {
      await s.senders.increment('t1', SENDER, bucket.known(BOB), { n: 1 }, 180 * DAY);
      assert.deepEqual(await entryOf(s.senders, BOB), { expiresAt: START + 180 * DAY * 1000 });
      clock.advance(DAY);
      assert.equal(await contact(s.senders, clock), false);
      assert.deepEqual(await entryOf(s.senders, BOB), { lastContactAt: START + DAY * 1000, expiresAt: START + 181 * DAY * 1000 });
    } finally { await s.close(); }
  });

  test('of two writers noting the same new recipients at once, exactly one sees each as new', async () => {
    const clock = new TestClock(START);
    const s = await factory(clock);
    const other = await s.reopen();
    try {
      const rcpts = ['x1@example.net', 'x2@example.net', 'X1@example.net'];
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => noteRecipients((i % 2 ? s : other).senders, 't1', SENDER, rcpts, clock.now())));
      assert.equal(results.filter((r) => r[0]).length, 1, 'x1 new once');
      assert.equal(results.filter((r) => r[1]).length, 1, 'x2 new once');
      assert.ok(results.every((r) => !r[2]), 'a recipient listed twice in one message is new at most once, on its first mention');
    } finally { await other.close(); await s.close(); }
  });
}
