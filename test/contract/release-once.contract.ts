// Contract: a held message leaves quarantine once. Two releases at the same
// moment (a double click, a retried API call, two Lambdas) queue one
// delivery; a release racing a delete ends with the message either deleted
// or released with its body, never released without it. Run through core
// (releaseMessage, deleteHeldMessage, purgeExpired) on two handles of each
// store; the store's part is MessageStore.putIfUnchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDomainError, type ErrorCode } from '../../core/errors.js';
import type { MessageRecord } from '../../core/model.js';
import type { DeliverJob, JobQueue } from '../../core/ports.js';
import { purgeExpired } from '../../core/pipeline/retention.js';
import { deleteHeldMessage, releaseMessage, type MessageOpsDeps } from '../../core/tenants/messages.js';
import { TestClock, chunks, messageRecord, type ContractStores, type StoresFactory } from './factory.js';

/** Races per test: each is a fresh message, the two calls started in alternating order. */
const ROUNDS = 8;

/** Deliver jobs as they are sent, from every handle: the count is what the tests assert. */
class RecordingQueue implements JobQueue<DeliverJob> {
  readonly jobs: DeliverJob[] = [];
  async send(job: DeliverJob): Promise<void> { this.jobs.push(job); }
  for(id: string): DeliverJob[] { return this.jobs.filter((j) => j.messageId === id); }
}

const ops = (s: ContractStores, clock: TestClock, queue: RecordingQueue): MessageOpsDeps => ({ clock, messages: s.messages, spool: s.spool, deliverQueue: queue });

/** A quarantined message with its body in the spool, as the score step leaves it. */
async function heldMessage(s: ContractStores, id: string): Promise<MessageRecord> {
  await s.spool.put(id, chunks('Subject: held\r\n\r\nhello\r\n'));
  await s.intake.accept(messageRecord(id)); // makes the body durable where the spool waits for the intake (SQLite)
  const held = messageRecord(id, {
    status: 'quarantined', updatedAt: new Date(Date.UTC(2026, 5, 1, 12, 1)).toISOString(),
    verdict: { verdict: 'quarantine', score: 7, thresholds: { quarantine: 5, reject: 10 }, signals: [], monitorOnly: false, decidedAt: '2026-06-01T12:01:00.000Z' },
  });
  await s.messages.put(held);
  return held;
}

async function hasBody(s: ContractStores, key: string): Promise<boolean> {
  try {
    await s.spool.get(key);
    return true;
  } catch (err) {
    if (isDomainError(err, 'NOT_FOUND')) return false;
    throw err;
  }
}

/** Both calls of a race, started together; `flip` swaps which one starts first. */
async function race<A, B>(flip: boolean, a: () => Promise<A>, b: () => Promise<B>): Promise<[PromiseSettledResult<A>, PromiseSettledResult<B>]> {
  if (!flip) return Promise.allSettled([a(), b()]);
  const [rb, ra] = await Promise.allSettled([b(), a()]);
  return [ra, rb];
}

const refusedAs = (r: PromiseSettledResult<unknown>, ...codes: ErrorCode[]): boolean =>
  r.status === 'rejected' && codes.some((code) => isDomainError(r.reason, code));

export function releaseOnceContract(factory: StoresFactory): void {
  test('two releases of one message at the same moment queue its delivery once, and both answer with the released message', async () => {
    const clock = new TestClock();
    const s = await factory(clock);
    const other = await s.reopen();
    const queue = new RecordingQueue();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const id = `msg-twice-${round}`;
        await heldMessage(s, id);
        const [a, b] = await race(round % 2 === 1,
          () => releaseMessage(ops(s, clock, queue), 't1', id),
          () => releaseMessage(ops(other, clock, queue), 't1', id));
        assert.equal(queue.for(id).length, 1, `round ${round}: one deliver job, not one per release`);
        for (const r of [a, b]) {
          assert.equal(r.status, 'fulfilled', `round ${round}: the losing release is answered too (${r.status === 'rejected' ? r.reason : ''})`);
          assert.equal(r.status === 'fulfilled' && r.value.status, 'released');
        }
        assert.equal((await s.messages.get(id))?.status, 'released');
      }
    } finally { await other.close(); await s.close(); }
  });

  test('a release racing a delete leaves the message deleted, or released with its body and one delivery, never released without it', async () => {
    const clock = new TestClock();
    const s = await factory(clock);
    const other = await s.reopen();
    const queue = new RecordingQueue();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const id = `msg-race-${round}`;
        await heldMessage(s, id);
        const [release, del] = await race(round % 2 === 1,
          () => releaseMessage(ops(s, clock, queue), 't1', id),
          () => deleteHeldMessage(ops(other, clock, queue), 't1', id));
        const rec = await s.messages.get(id);
        const body = await hasBody(s, id);
        if (rec?.status === 'released') {
          assert.equal(release.status, 'fulfilled', `round ${round}: the release won`);
          assert.ok(refusedAs(del, 'CONFLICT'), `round ${round}: the delete that lost is a CONFLICT, got ${del.status}`);
          assert.ok(body, `round ${round}: a released message keeps its body`);
          assert.equal(queue.for(id).length, 1, `round ${round}: the released message is queued once`);
        } else {
          assert.equal(rec?.status, 'deleted', `round ${round}: released or deleted, nothing else`);
          assert.equal(del.status, 'fulfilled', `round ${round}: the delete won`);
          assert.ok(refusedAs(release, 'CONFLICT', 'NOT_FOUND'), `round ${round}: the release that lost is refused, got ${release.status}`);
          assert.equal(body, false, `round ${round}: a deleted message has no body`);
          assert.equal(queue.for(id).length, 0, `round ${round}: nothing is delivered for a deleted message`);
        }
      }
    } finally { await other.close(); await s.close(); }
  });

  test('a release after the retention sweep listed a quarantined message keeps its body: the sweep leaves it for later', async (t) => {
    const clock = new TestClock();
    const s = await factory(clock);
    const queue = new RecordingQueue();
    try {
      const { listReceivedBefore } = s.messages;
      if (!listReceivedBefore) return t.skip('this store expires messages natively (DynamoDB TTL, S3 lifecycle)');
      const held = await heldMessage(s, 'msg-swept-01');
      clock.advance(40 * 86400);
      // The tenant's release lands between the sweep's listing and its purge.
      const messages = Object.assign(Object.create(s.messages) as typeof s.messages, {
        async listReceivedBefore(before: string, limit: number) {
          const listed = await listReceivedBefore.call(s.messages, before, limit);
          await releaseMessage(ops(s, clock, queue), 't1', held.id);
          return listed;
        },
      });
      assert.equal(await purgeExpired({ clock, messages, spool: s.spool }, 30 * 86400), 0);
      assert.equal((await s.messages.get(held.id))?.status, 'released');
      assert.ok(await hasBody(s, held.id), 'the released message still has its body');
      assert.equal(queue.for(held.id).length, 1);
    } finally { await s.close(); }
  });
}
