// Mail held in the middle of its retries (its sender was locked) and then
// released by the tenant: the retry chain has to carry on after the release,
// and a bounce after the release has to reach the sender in a DSN of its own.
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { handleDeliverJob } from '../../core/pipeline/deliver.js';
import { lockSender } from '../../core/reputation/index.js';
import { releaseMessage } from '../../core/tenants/messages.js';
import { openSmarthostHarness, queueMessage, sampleMessage, type Harness, type Receiver, type Reply } from './helpers.js';

describe('delivery after a release from a hold', () => {
  let receiver: Receiver;
  let h: Harness;
  let rcptReply: (address: string) => Reply | undefined;

  beforeEach(async () => {
    rcptReply = () => undefined;
    ({ h, receiver } = await openSmarthostHarness((a) => rcptReply(a), { deliveryRetrySeconds: 86400 }));
  });
  afterEach(async () => {
    h.close();
    await receiver.close();
  });

  /** Runs the due deliver jobs of the message under test (DSN jobs are only acknowledged); returns how many ran. */
  async function runDue(): Promise<number> {
    let ran = 0;
    for (const j of await h.stores.deliverQueue.receive(10, 30)) {
      if (!j.job.messageId.includes('-dsn-')) {
        await handleDeliverJob(h.deps, j.job);
        ran++;
      }
      await h.stores.deliverQueue.ack(j.id);
    }
    return ran;
  }

  /** Deferred twice, then held by a lock at the third attempt, then released. */
  async function deferHoldRelease(rcptTo: string[]) {
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo, raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    h.clock.advance(60);
    assert.equal(await runDue(), 1, 'attempt 2 ran');
    await lockSender(h.deps, 't1', 'alice@example.com', { reason: 'test', lockedAt: h.clock.now().toISOString(), by: 'manual' });
    h.clock.advance(300);
    assert.equal(await runDue(), 1, 'attempt 3 ran and held the message');
    assert.equal((await h.stores.messages.get(msg.id))!.status, 'quarantined');
    await lockSender(h.deps, 't1', 'alice@example.com', undefined, 'checked');
    await releaseMessage(h.deps, 't1', msg.id);
    return msg;
  }

  it('keeps retrying a deferred recipient after the release instead of dropping the retries as stale', async () => {
    rcptReply = () => ({ code: 451, message: '4.3.0 try again later' });
    const msg = await deferHoldRelease(['bob@dest.test']);
    assert.equal(await runDue(), 1, 'the release job ran');
    const seen = receiver.rcptSeen.length;

    // The receiver still defers: the next retry must be made, not skipped.
    h.clock.advance(14400);
    assert.equal(await runDue(), 1, 'a retry was scheduled after the release');
    assert.equal(receiver.rcptSeen.length, seen + 1, 'the retry after the release was attempted');

    rcptReply = () => undefined;
    h.clock.advance(14400);
    assert.equal(await runDue(), 1);
    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'delivered');
    assert.equal(receiver.received.length, 1);
  });

  it('sends a new DSN for a recipient that bounces after the release, although an earlier attempt already sent one', async () => {
    rcptReply = (a) => (a === 'gone@dest.test' ? { code: 550, message: '5.1.1 no such user' } : { code: 451, message: '4.3.0 try again later' });
    const msg = await deferHoldRelease(['gone@dest.test', 'bob@dest.test']);
    const first = (await h.stores.messages.get(msg.id))!.dsnMessageId!;
    assert.ok(first, 'the first attempt bounced gone@ with a DSN');

    rcptReply = () => ({ code: 550, message: '5.1.1 bob has left' });
    assert.equal(await runDue(), 1, 'the release job ran');
    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'bounced');
    assert.notEqual(rec.dsnMessageId, first, 'the bounce after the release has a DSN of its own');
    const dsn = (await h.stores.messages.get(rec.dsnMessageId!))!;
    assert.match((await h.stores.spool.get(dsn.spoolKey)).toString(), /Final-Recipient: rfc822; bob@dest\.test/);
    const { items } = await h.stores.messages.list('t1', {});
    assert.equal(items.filter((m) => m.envelope.mailFrom === '').length, 2, 'two DSNs in all: one per bounce');
  });
});
