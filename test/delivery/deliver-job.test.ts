import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { handleDeliverJob } from '../../core/pipeline/deliver.js';
import { bucket } from '../../core/reputation/counters.js';
import type { Transport } from '../../core/ports.js';
import { openSmarthostHarness, createTenant, openHarness, queueMessage, sampleMessage, type Harness, type Receiver, type Reply } from './helpers.js';

/** The message/delivery-status part of a DSN, as text. */
function statusPart(raw: Buffer): string {
  const text = raw.toString('utf8');
  const start = text.indexOf('Content-Type: message/delivery-status');
  assert.ok(start >= 0, 'the DSN has a message/delivery-status part');
  return text.slice(start, text.indexOf('\r\n--', start));
}

describe('handleDeliverJob', () => {
  let receiver: Receiver;
  let h: Harness;
  /** What the receiver answers to RCPT TO; tests change it between attempts. */
  let rcptReply: (address: string) => Reply | undefined;

  beforeEach(async () => {
    rcptReply = () => undefined;
    ({ h, receiver } = await openSmarthostHarness((a) => rcptReply(a), { deliveryRetrySeconds: 3600 }));
  });
  afterEach(async () => {
    h.close();
    await receiver.close();
  });

  it('delivers clean mail and records each recipient as delivered with the remote reply', async () => {
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test', 'carol@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });

    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'delivered');
    for (const r of rec.recipients) {
      assert.equal(r.state, 'delivered');
      assert.equal(r.attempts, 1);
      assert.match(r.reply!, /^250 /);
      assert.equal(r.mx, `127.0.0.1:${receiver.port}`);
    }
    assert.equal(receiver.received.length, 1);
    assert.deepEqual(receiver.received[0]!.rcptTo, ['bob@dest.test', 'carol@dest.test']);
    assert.equal(h.stores.deliverQueue.depth(), 0, 'nothing left to retry');
  });

  it('defers a 4xx recipient and sends the job again with attempt 2 after the first backoff step', async () => {
    rcptReply = (a) => (a === 'carol@dest.test' ? { code: 451, message: '4.7.1 greylisted, come back later' } : undefined);
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test', 'carol@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });

    let rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'delivering');
    assert.equal(rec.recipients.find((r) => r.rcpt === 'carol@dest.test')!.state, 'deferred');
    assert.match(rec.recipients.find((r) => r.rcpt === 'carol@dest.test')!.reply!, /451 4\.7\.1 greylisted/);
    assert.deepEqual(await h.stores.deliverQueue.receive(10, 30), [], 'the retry is not visible before its delay');
    h.clock.advance(60);
    const [retry] = await h.stores.deliverQueue.receive(10, 30);
    assert.deepEqual(retry!.job, { messageId: msg.id, attempt: 2 });

    rcptReply = () => undefined;
    await handleDeliverJob(h.deps, retry!.job);
    rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'delivered');
    assert.equal(receiver.received.length, 2);
    assert.deepEqual(receiver.received[1]!.rcptTo, ['carol@dest.test'], 'the recipient already delivered is not sent again');
    assert.equal(rec.recipients.find((r) => r.rcpt === 'carol@dest.test')!.attempts, 2);
    assert.equal(rec.recipients.find((r) => r.rcpt === 'bob@dest.test')!.attempts, 1);
  });

  it('bounces a 5xx recipient with a DSN that carries the remote reply in its per-recipient fields', async () => {
    rcptReply = () => ({ code: 550, message: '5.1.1 <gone@dest.test>: Recipient address rejected: User unknown' });
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['gone@dest.test'], raw: sampleMessage('alice@example.com', 'gone@dest.test') });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });

    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'bounced');
    assert.ok(rec.dsnMessageId, 'the record names its DSN');
    const dsn = (await h.stores.messages.get(rec.dsnMessageId))!;
    assert.deepEqual(dsn.envelope, { mailFrom: '', rcptTo: ['alice@example.com'] });
    assert.equal(dsn.status, 'queued');
    assert.deepEqual(dsn.identity, msg.identity);
    assert.equal(dsn.sender, msg.sender);

    const raw = await h.stores.spool.get(dsn.spoolKey);
    assert.match(raw.toString(), /Content-Type: multipart\/report; report-type=delivery-status;/);
    const status = statusPart(raw);
    assert.match(status, /Reporting-MTA: dns; gw\.relayguard\.test/);
    assert.match(status, /Final-Recipient: rfc822; gone@dest\.test/);
    assert.match(status, /Action: failed/);
    assert.match(status, /Status: 5\.1\.1/);
    assert.match(status, /Diagnostic-Code: smtp; 550 5\.1\.1 <gone@dest\.test>: Recipient address rejected: User unknown/);
    assert.match(status, new RegExp(`Remote-MTA: dns; 127\\.0\\.0\\.1:${receiver.port}`));
    assert.match(raw.toString(), /Content-Type: text\/rfc822-headers\r\n\r\nFrom: Alice <alice@example\.com>/);

    // The DSN is mail like any other: the queued job delivers it to the original sender with MAIL FROM:<>.
    const [job] = await h.stores.deliverQueue.receive(10, 30);
    assert.deepEqual(job!.job, { messageId: dsn.id, attempt: 1 });
    rcptReply = () => undefined;
    await handleDeliverJob(h.deps, job!.job);
    assert.equal((await h.stores.messages.get(dsn.id))!.status, 'delivered');
    const delivered = receiver.received.at(-1)!;
    assert.equal(delivered.mailFrom, '');
    assert.deepEqual(delivered.rcptTo, ['alice@example.com']);
  });

  it('bounces what is still deferred once the retry time has run out, with a DSN saying so', async () => {
    rcptReply = () => ({ code: 452, message: '4.2.2 mailbox full' });
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['full@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    assert.equal((await h.stores.messages.get(msg.id))!.status, 'delivering');

    // The backoff steps 60, 300, 900, 1800 s, then one shortened to land on the one-hour expiry (540 s).
    const delays = [60, 300, 900, 1800, 540];
    for (const [i, delay] of delays.entries()) {
      h.clock.advance(delay - 1);
      assert.deepEqual(await h.stores.deliverQueue.receive(1, 30), [], `retry ${i + 2} is not due a second early`);
      h.clock.advance(1);
      const [next] = await h.stores.deliverQueue.receive(1, 30);
      assert.deepEqual(next!.job, { messageId: msg.id, attempt: i + 2 });
      await h.stores.deliverQueue.ack(next!.id);
      await handleDeliverJob(h.deps, next!.job);
    }
    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'bounced');
    assert.equal(rec.recipients[0]!.state, 'bounced');
    assert.equal(rec.expiresAt, h.clock.now().toISOString());
    const dsn = (await h.stores.messages.get(rec.dsnMessageId!))!;
    assert.match(dsn.subject!, /expired/);
    const status = statusPart(await h.stores.spool.get(dsn.spoolKey));
    assert.match(status, /Status: 4\.2\.2/);
    assert.match(status, /Diagnostic-Code: smtp; 452 4\.2\.2 mailbox full/);
    assert.equal(rec.recipients[0]!.attempts, 6, 'the last attempt ran at the expiry time itself');
  });

  it('delivers to some recipients and bounces the others, and the DSN names only the bounced ones', async () => {
    rcptReply = (a) => (a === 'gone@dest.test' ? { code: 550, message: '5.1.1 no such user' } : undefined);
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test', 'gone@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });

    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'partially-delivered');
    assert.deepEqual(rec.recipients.map((r) => [r.rcpt, r.state]), [['bob@dest.test', 'delivered'], ['gone@dest.test', 'bounced']]);
    assert.deepEqual(receiver.received[0]!.rcptTo, ['bob@dest.test']);
    const status = statusPart(await h.stores.spool.get((await h.stores.messages.get(rec.dsnMessageId!))!.spoolKey));
    assert.match(status, /Final-Recipient: rfc822; gone@dest\.test/);
    assert.doesNotMatch(status, /bob@dest\.test/);
  });

  it('reports each attempt to sender reputation, but not the fate of its own DSNs', async () => {
    rcptReply = (a) => (a === 'gone@dest.test' ? { code: 550, message: '5.1.1 no such user' } : undefined);
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test', 'gone@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    const counters = () => h.stores.senders.increment('t1', msg.sender, bucket.hour(h.clock.now()), { invalid: 0, attempted: 0 }, 3600);
    assert.deepEqual(await counters(), { invalid: 1, attempted: 2 });

    rcptReply = () => ({ code: 550, message: '5.1.1 the sender address does not exist either' });
    const [dsnJob] = await h.stores.deliverQueue.receive(1, 30);
    await handleDeliverJob(h.deps, dsnJob!.job);
    assert.equal((await h.stores.messages.get(dsnJob!.job.messageId))!.status, 'bounced');
    assert.deepEqual(await counters(), { invalid: 1, attempted: 2 }, 'the bounced DSN added nothing');
  });

  it('never sends a DSN for a message with the null sender, so bounces cannot loop', async () => {
    rcptReply = () => ({ code: 550, message: '5.1.1 no such user' });
    const msg = await queueMessage(h, { mailFrom: '', rcptTo: ['gone@dest.test'], raw: sampleMessage('mailer-daemon@example.com') });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });

    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'bounced');
    assert.equal(rec.dsnMessageId, undefined);
    assert.equal(h.stores.deliverQueue.depth(), 0);
    const { items } = await h.stores.messages.list('t1', {});
    assert.equal(items.length, 1, 'no DSN message was created');
  });

  it('gives mail released from quarantine a fresh retry window instead of bouncing it as expired', async () => {
    rcptReply = () => ({ code: 451, message: '4.3.0 try later' });
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    h.clock.advance(5 * 86400); // held five days, far past the one-hour window
    await h.stores.messages.put({ ...msg, status: 'released', expiresAt: msg.receivedAt });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'delivering');
    assert.equal(rec.expiresAt, new Date(h.clock.now().getTime() + 3600_000).toISOString());
    assert.equal(h.stores.deliverQueue.depth(), 1);
  });

  it('leaves quarantined and rejected messages alone', async () => {
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    for (const status of ['quarantined', 'rejected', 'accepted'] as const) {
      await h.stores.messages.put({ ...msg, status });
      await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
      assert.equal((await h.stores.messages.get(msg.id))!.status, status);
    }
    assert.equal(receiver.rcptSeen.length, 0);
  });

  it('ignores a retry job handed out twice, so deferred mail never grows a second retry chain', async () => {
    rcptReply = () => ({ code: 451, message: '4.3.0 try later' });
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    const seen = receiver.rcptSeen.length;
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 }); // the same job again, e.g. never acknowledged
    assert.equal(receiver.rcptSeen.length, seen, 'no second attempt');
    assert.equal(h.stores.deliverQueue.depth(), 1, 'still exactly one retry scheduled');
    h.clock.advance(60);
    const [retry] = await h.stores.deliverQueue.receive(1, 30);
    await handleDeliverJob(h.deps, retry!.job);
    assert.equal(receiver.rcptSeen.length, seen + 1, 'the scheduled retry does run');
  });

  it('survives a crash between scheduling the retry and saving the record with one attempt per retry', async () => {
    rcptReply = () => ({ code: 451, message: '4.3.0 try later' });
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    await h.stores.messages.put(msg); // the save is lost: the record still says "not attempted"
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 }); // so the unacknowledged job runs again
    assert.equal(h.stores.deliverQueue.depth(), 2, 'two retry jobs for attempt 2 now exist');
    h.clock.advance(60);
    const seen = receiver.rcptSeen.length;
    for (const r of await h.stores.deliverQueue.receive(10, 30)) {
      assert.equal(r.job.attempt, 2);
      await handleDeliverJob(h.deps, r.job);
      await h.stores.deliverQueue.ack(r.id);
    }
    assert.equal(receiver.rcptSeen.length, seen + 1, 'attempt 2 was made once');
    assert.equal(h.stores.deliverQueue.depth(), 1, 'one retry chain goes on');
    assert.equal((await h.stores.messages.get(msg.id))!.recipients[0]!.attempts, 2, 'the attempt whose save was lost is not counted');
  });

  it('ends a message whose spooled body has vanished with a reason and a DSN, instead of retrying forever', async () => {
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    await h.stores.spool.delete(msg.spoolKey);
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'bounced');
    assert.match(rec.recipients[0]!.reply!, /missing from the spool/);
    assert.ok(rec.dsnMessageId);
    assert.equal(receiver.rcptSeen.length, 0);
  });

  it('does nothing for a job whose message is already delivered (a duplicate job)', async () => {
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    assert.equal(receiver.received.length, 1);
  });

  it('runs a job twice after a crash without mailing a second DSN', async () => {
    rcptReply = () => ({ code: 550, message: '5.1.1 no such user' });
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['gone@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    // Simulate a crash after the DSN was emitted but before the record was saved: put the old record back.
    await h.stores.messages.put(msg);
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    const { items } = await h.stores.messages.list('t1', {});
    assert.equal(items.filter((m) => m.envelope.mailFrom === '').length, 1, 'one DSN');
    assert.equal(h.stores.deliverQueue.depth(), 1, 'one DSN job');
  });

  it('defers every recipient when the transport itself throws, so the message is retried and not lost', async () => {
    const broken: Transport = { send: async () => { throw new Error('socket pool exhausted'); } };
    const h2 = openHarness(broken);
    try {
      await createTenant(h2);
      const msg = await queueMessage(h2, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
      await handleDeliverJob(h2.deps, { messageId: msg.id, attempt: 1 });
      const rec = (await h2.stores.messages.get(msg.id))!;
      assert.equal(rec.recipients[0]!.state, 'deferred');
      assert.match(rec.recipients[0]!.reply!, /socket pool exhausted/);
      assert.equal(h2.stores.deliverQueue.depth(), 1);
    } finally {
      h2.close();
    }
  });
});
