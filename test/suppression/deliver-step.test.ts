// The deliver step with a suppression list, against a real receiving SMTP
// server on loopback and the real SQLite stores: hard bounces join the list,
// suppressed recipients are never offered to the receiver, bounce at once
// and reach the sender in a DSN; complaints and SES bounces go in too.
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createSmarthostTransport } from '../../adapters/transport/smarthost.js';
import { handleDeliverJob } from '../../core/pipeline/deliver.js';
import type { SuppressionStore } from '../../core/ports.js';
import { recordBounce, recordComplaint } from '../../core/suppression/index.js';
import { createTenant, openHarness, queueMessage, sampleMessage, startReceiver, type Harness, type Receiver, type Reply } from '../delivery/helpers.js';

const UNKNOWN = { code: 550, message: '5.1.1 <gone@dest.test>: Recipient address rejected: User unknown' };

describe('the deliver step with a suppression list', () => {
  let receiver: Receiver;
  let h: Harness;
  let rcptReply: (address: string) => Reply | undefined;

  beforeEach(async () => {
    rcptReply = (a) => (a.toLowerCase() === 'gone@dest.test' ? UNKNOWN : undefined);
    receiver = await startReceiver({ rcpt: (a) => rcptReply(a) });
    const transport = createSmarthostTransport({ host: '127.0.0.1', port: receiver.port, name: 'gw.relayguard.test' });
    h = openHarness(transport, { deliveryRetrySeconds: 3600 });
    h.deps.suppressions = h.stores.suppressions;
    await createTenant(h, 't1');
    await createTenant(h, 't2');
  });
  afterEach(async () => {
    h.close();
    await receiver.close();
  });

  async function dsnOf(id: string): Promise<string> {
    const rec = (await h.stores.messages.get(id))!;
    assert.ok(rec.dsnMessageId, 'a DSN was emitted');
    const dsn = (await h.stores.messages.get(rec.dsnMessageId))!;
    return (await h.stores.spool.get(dsn.spoolKey)).toString('utf8');
  }

  it('puts a recipient that answered 550 5.1.1 on the tenant\'s list with the reply, the message and the date', async () => {
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test', 'Gone@Dest.Test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });

    const entry = await h.stores.suppressions.get('t1', 'gone@dest.test');
    assert.deepEqual(entry, {
      tenantId: 't1', address: 'gone@dest.test', reason: 'hard-bounce',
      detail: '550 5.1.1 <gone@dest.test>: Recipient address rejected: User unknown', messageId: msg.id, createdAt: h.clock.now().toISOString(),
    });
    assert.equal(await h.stores.suppressions.get('t1', 'bob@dest.test'), undefined, 'the delivered recipient is not listed');
    assert.equal(await h.stores.suppressions.get('t2', 'gone@dest.test'), undefined, 'another tenant\'s list is untouched');
  });

  it('does not list a recipient refused for policy, a full mailbox or a greylist', async () => {
    rcptReply = (a) => ({
      'policy@dest.test': { code: 550, message: '5.7.1 <policy@dest.test>: Recipient address rejected: Access denied' },
      'full@dest.test': { code: 552, message: '5.2.2 Mailbox full' },
      'grey@dest.test': { code: 450, message: '4.2.0 Greylisted' },
    })[a];
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['policy@dest.test', 'full@dest.test', 'grey@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    assert.deepEqual((await h.stores.suppressions.list('t1', { limit: 10 })).items, []);
  });

  it('never offers a suppressed recipient to the receiver, bounces it at once and tells the sender in a DSN', async () => {
    const first = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['gone@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: first.id, attempt: 1 });
    const since = (await h.stores.suppressions.get('t1', 'gone@dest.test'))!.createdAt;
    receiver.rcptSeen.length = 0;
    h.clock.advance(600);

    const second = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test', 'GONE@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: second.id, attempt: 1 });

    assert.deepEqual(receiver.rcptSeen, ['bob@dest.test'], 'only the recipient not on the list reached the receiver');
    const rec = (await h.stores.messages.get(second.id))!;
    assert.equal(rec.status, 'partially-delivered');
    const gone = rec.recipients.find((r) => r.rcpt === 'GONE@dest.test')!;
    assert.equal(gone.state, 'bounced');
    assert.equal(gone.reply, `suppressed: hard-bounce since ${since} (5.1.1)`);
    assert.equal(gone.attempts, 0, 'no attempt was made');
    const dsn = await dsnOf(second.id);
    assert.match(dsn, /Final-Recipient: rfc822; GONE@dest\.test\r\nAction: failed\r\nStatus: 5\.1\.1\r\n/);
    assert.match(dsn, /Diagnostic-Code: x-local; suppressed: hard-bounce since /);
    assert.doesNotMatch(dsn, /Final-Recipient: rfc822; bob@dest\.test/);
  });

  it('bounces a message whose every recipient is suppressed without connecting to any server', async () => {
    await recordComplaint({ clock: h.clock, suppressions: h.stores.suppressions }, { tenantId: 't1', address: 'angry@dest.test', messageId: 'm0', detail: 'abuse report via SES' });
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['angry@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });

    assert.deepEqual(receiver.rcptSeen, []);
    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'bounced');
    assert.match(rec.recipients[0]!.reply!, /^suppressed: complaint since \S+ \(5\.7\.1\)$/);
    assert.match(await dsnOf(msg.id), /Status: 5\.7\.1/);
    assert.equal(h.stores.deliverQueue.depth(), 1, 'only the DSN is queued, no retry of the original');
  });

  it('sends no DSN for a suppressed recipient of a null-sender message, so bounces never bounce', async () => {
    await recordComplaint({ clock: h.clock, suppressions: h.stores.suppressions }, { tenantId: 't1', address: 'angry@dest.test', detail: 'complaint' });
    const msg = await queueMessage(h, { mailFrom: '', rcptTo: ['angry@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    const rec = (await h.stores.messages.get(msg.id))!;
    assert.equal(rec.status, 'bounced');
    assert.equal(rec.dsnMessageId, undefined);
    assert.equal(h.stores.deliverQueue.depth(), 0);
  });

  it('keeps one tenant\'s list to that tenant', async () => {
    await recordComplaint({ clock: h.clock, suppressions: h.stores.suppressions }, { tenantId: 't2', address: 'bob@dest.test', detail: 'complaint' });
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage(), tenantId: 't1' });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    assert.equal((await h.stores.messages.get(msg.id))!.status, 'delivered');
  });

  it('sends nothing and runs the job again later when the list cannot be read', async () => {
    const failing: SuppressionStore = { ...h.stores.suppressions, get: async () => { throw new Error('database is locked'); } } as SuppressionStore;
    h.deps.suppressions = failing;
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['bob@dest.test'], raw: sampleMessage() });
    await assert.rejects(handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 }), /database is locked/);
    assert.deepEqual(receiver.rcptSeen, []);
    assert.equal((await h.stores.messages.get(msg.id))!.status, 'queued');
  });

  it('records the delivery even when the list cannot be written after the attempt', async () => {
    const store = h.stores.suppressions;
    h.deps.suppressions = { get: (t, a) => store.get(t, a), delete: (t, a) => store.delete(t, a), list: (t, q) => store.list(t, q), put: async () => { throw new Error('disk full'); } };
    const msg = await queueMessage(h, { mailFrom: 'alice@example.com', rcptTo: ['gone@dest.test'], raw: sampleMessage() });
    await handleDeliverJob(h.deps, { messageId: msg.id, attempt: 1 });
    assert.equal((await h.stores.messages.get(msg.id))!.status, 'bounced');
  });
});

describe('feedback into the suppression list', () => {
  let h: Harness;
  beforeEach(() => { h = openHarness({ send: async () => [] }); });
  afterEach(() => h.close());

  it('records a complaint once: the first entry for an address stands', async () => {
    const deps = { clock: h.clock, suppressions: h.stores.suppressions };
    const first = await recordComplaint(deps, { tenantId: 't1', address: 'Carol@Dest.Test', messageId: 'm1', detail: 'abuse' });
    assert.deepEqual(first, { tenantId: 't1', address: 'carol@dest.test', reason: 'complaint', detail: 'abuse', messageId: 'm1', createdAt: h.clock.now().toISOString() });
    h.clock.advance(60);
    assert.deepEqual(await recordComplaint(deps, { tenantId: 't1', address: 'carol@dest.test', messageId: 'm2', detail: 'again' }), first);
  });

  it('applies the same rules to a bounce reported later by SES', async () => {
    const deps = { clock: h.clock, suppressions: h.stores.suppressions };
    assert.equal((await recordBounce(deps, { tenantId: 't1', address: 'gone@dest.test', reply: 'smtp; 550 5.1.1 user unknown' }))?.reason, 'hard-bounce');
    assert.equal(await recordBounce(deps, { tenantId: 't1', address: 'full@dest.test', reply: 'smtp; 552 5.2.2 mailbox full' }), undefined);
    assert.equal(await recordBounce(deps, { tenantId: 't1', address: 'spam@dest.test', reply: '550 5.7.1 rejected as spam' }), undefined);
    assert.deepEqual((await h.stores.suppressions.list('t1', { limit: 10 })).items.map((e) => e.address), ['gone@dest.test']);
  });
});
