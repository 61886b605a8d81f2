// Contract: the message log lists, filters and pages the same way everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDomainError } from '../../core/errors.js';
import { TestClock, messageRecord, type StoresFactory } from './factory.js';

const minute = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();

export function messageStoreContract(factory: StoresFactory): void {
  test('the log lists a tenant\'s messages newest first and pages with a cursor', async () => {
    const s = await factory(new TestClock());
    try {
      for (let i = 0; i < 5; i++) await s.messages.put(messageRecord(`msg-000000${i}`, { receivedAt: minute(i) }));
      await s.messages.put(messageRecord('msg-other-01', { tenantId: 't2', receivedAt: minute(9) }));
      const p1 = await s.messages.list('t1', { limit: 2 });
      assert.deepEqual(p1.items.map((m) => m.id), ['msg-0000004', 'msg-0000003']);
      assert.ok(p1.cursor);
      const p2 = await s.messages.list('t1', { limit: 2, cursor: p1.cursor });
      assert.deepEqual(p2.items.map((m) => m.id), ['msg-0000002', 'msg-0000001']);
      const p3 = await s.messages.list('t1', { limit: 2, cursor: p2.cursor });
      assert.deepEqual(p3.items.map((m) => m.id), ['msg-0000000']);
      assert.equal(p3.cursor, undefined, 'the last page has no cursor');
    } finally { await s.close(); }
  });

  test('a cursor the store did not hand out is refused as VALIDATION, not served as a page from anywhere', async () => {
    const s = await factory(new TestClock());
    try {
      await s.messages.put(messageRecord('msg-0000001', { receivedAt: minute(1) }));
      const forged = (text: string) => Buffer.from(text).toString('base64url');
      for (const cursor of ['zzzz', forged('x|y'), forged('x#y'), forged(`${minute(1)}|msg|extra`), forged(`${minute(1)}#msg#extra`)]) {
        await assert.rejects(s.messages.list('t1', { limit: 2, cursor }), (e) => isDomainError(e, 'VALIDATION'), `cursor ${cursor}`);
      }
    } finally { await s.close(); }
  });

  test('the log filters by sender, verdict, status, recipient in any case, subject text and time', async () => {
    const s = await factory(new TestClock());
    try {
      const verdict = { verdict: 'quarantine' as const, score: 7, thresholds: { quarantine: 5, reject: 10 }, signals: [], monitorOnly: false, decidedAt: minute(1) };
      await s.messages.put(messageRecord('msg-f000001', { receivedAt: minute(1), subject: 'Invoice 100% due', status: 'quarantined', verdict }));
      await s.messages.put(messageRecord('msg-f000002', { receivedAt: minute(2), sender: 'mallory@example.com', subject: 'hello' }));
      await s.messages.put(messageRecord('msg-f000003', { receivedAt: minute(3), envelope: { mailFrom: 'alice@example.com', rcptTo: ['carol@example.org'] } }));
      const ids = async (q: Parameters<typeof s.messages.list>[1]) => (await s.messages.list('t1', q)).items.map((m) => m.id);
      assert.deepEqual(await ids({ sender: 'mallory@example.com' }), ['msg-f000002']);
      assert.deepEqual(await ids({ verdict: 'quarantine' }), ['msg-f000001']);
      assert.deepEqual(await ids({ status: 'quarantined' }), ['msg-f000001']);
      assert.deepEqual(await ids({ recipient: 'CAROL@example.org' }), ['msg-f000003']);
      assert.deepEqual(await ids({ subject: '100%' }), ['msg-f000001']);
      assert.deepEqual(await ids({ since: minute(2) }), ['msg-f000003', 'msg-f000002']);
      assert.deepEqual(await ids({ until: minute(2) }), ['msg-f000001']);
      assert.deepEqual(await ids({ since: minute(2), until: minute(3) }), ['msg-f000002']);
    } finally { await s.close(); }
  });

  test('a put replaces the whole record', async () => {
    const s = await factory(new TestClock());
    try {
      await s.messages.put(messageRecord('msg-r000001', { subject: 'first' }));
      const { subject: _dropped, ...rest } = messageRecord('msg-r000001');
      await s.messages.put({ ...rest, status: 'delivered', recipients: [{ rcpt: 'bob@example.net', state: 'delivered', attempts: 1, reply: '250 ok' }] });
      const got = await s.messages.get('msg-r000001');
      assert.equal(got?.status, 'delivered');
      assert.equal(got?.subject, undefined);
      assert.equal(got?.recipients[0]?.reply, '250 ok');
      assert.equal(await s.messages.get('msg-missing'), undefined);
    } finally { await s.close(); }
  });

  test('a compare-and-set writes only over the status and updatedAt the caller read', async () => {
    const s = await factory(new TestClock());
    try {
      const held = messageRecord('msg-c000001', { status: 'quarantined', updatedAt: minute(1) });
      await s.messages.put(held);
      const released = { ...held, status: 'released' as const, updatedAt: minute(2) };
      assert.equal(await s.messages.putIfUnchanged(released, held), true);
      assert.deepEqual(await s.messages.get(held.id), released);
      assert.deepEqual((await s.messages.list('t1', { status: 'released' })).items.map((m) => m.id), [held.id], 'the filter columns follow the write');

      const deleted = { ...held, status: 'deleted' as const, updatedAt: minute(3) };
      assert.equal(await s.messages.putIfUnchanged(deleted, held), false, 'the status read is no longer stored');
      assert.equal(await s.messages.putIfUnchanged(deleted, { status: 'released', updatedAt: minute(1) }), false, 'same status, another write since');
      assert.equal((await s.messages.get(held.id))?.status, 'released', 'a refused compare-and-set writes nothing');
      assert.equal(await s.messages.putIfUnchanged(deleted, released), true);

      assert.equal(await s.messages.putIfUnchanged(messageRecord('msg-c-missing'), { status: 'accepted', updatedAt: minute(0) }), false);
      assert.equal(await s.messages.get('msg-c-missing'), undefined, 'a record that is not there is not created');
    } finally { await s.close(); }
  });

  test('of two compare-and-sets from the same read on two handles, exactly one is written', async () => {
    const s = await factory(new TestClock());
    const other = await s.reopen();
    try {
      for (let round = 0; round < 5; round++) {
        const held = messageRecord(`msg-c10000${round}`, { status: 'quarantined', updatedAt: minute(1) });
        await s.messages.put(held);
        const outcomes = await Promise.all([
          s.messages.putIfUnchanged({ ...held, status: 'released', updatedAt: minute(2) }, held),
          other.messages.putIfUnchanged({ ...held, status: 'deleted', updatedAt: minute(2) }, held),
        ]);
        assert.equal(outcomes.filter(Boolean).length, 1, `round ${round}: ${outcomes}`);
        assert.equal((await s.messages.get(held.id))?.status, outcomes[0] ? 'released' : 'deleted');
      }
    } finally { await other.close(); await s.close(); }
  });

  test('pending messages of a sender are listed until they leave the pipeline', async () => {
    const s = await factory(new TestClock());
    try {
      await s.messages.put(messageRecord('msg-p000001', { status: 'accepted' }));
      await s.messages.put(messageRecord('msg-p000002', { status: 'queued' }));
      await s.messages.put(messageRecord('msg-p000003', { status: 'delivered' }));
      await s.messages.put(messageRecord('msg-p000004', { status: 'queued', sender: 'other@example.com' }));
      const pending = async () => (await s.messages.listPendingBySender('t1', 'alice@example.com')).map((m) => m.id).sort();
      assert.deepEqual(await pending(), ['msg-p000001', 'msg-p000002']);
      await s.messages.put(messageRecord('msg-p000002', { status: 'quarantined' }));
      assert.deepEqual(await pending(), ['msg-p000001']);
    } finally { await s.close(); }
  });
  test('a message with 100 recipients and long multi-line replies is stored and read back (a DynamoDB item holds 400 KB)', async () => {
    const s = await factory(new TestClock());
    try {
      const rcpts = Array.from({ length: 100 }, (_, i) => `recipient-${String(i).padStart(3, '0')}@example.net`);
      // Some receivers answer with pages of text: 100 replies of 6 KB are 600 KB.
      const reply = (i: number) => `550-5.1.1 <${rcpts[i]}> no such user here\r\n` + '550-5.1.1 please see https://help.example.net/bounce for more\r\n'.repeat(100) + '550 5.1.1 end';
      const record = messageRecord('msg-big-rcpts', {
        status: 'bounced',
        envelope: { mailFrom: 'alice@example.com', rcptTo: rcpts },
        recipients: rcpts.map((rcpt, i) => ({ rcpt, state: 'bounced' as const, attempts: 1, reply: reply(i), lastAttemptAt: minute(1), mx: 'mx.example.net' })),
      });
      await s.messages.put(record);
      const got = await s.messages.get('msg-big-rcpts');
      assert.equal(got?.status, 'bounced');
      assert.equal(got?.recipients.length, 100);
      got!.recipients.forEach((r, i) => {
        assert.equal(r.rcpt, rcpts[i]);
        assert.equal(r.state, 'bounced');
        assert.ok(r.reply?.startsWith(reply(i).slice(0, 300)), 'the start of each reply is kept');
      });
      assert.deepEqual(got?.envelope.rcptTo, rcpts);
      assert.deepEqual((await s.messages.list('t1', { limit: 5 })).items.map((m) => m.id), ['msg-big-rcpts']);
    } finally { await s.close(); }
  });
}
