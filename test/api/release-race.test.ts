// Releasing and deleting held mail over real HTTP when requests cross: a
// double click, a client retrying after a timeout, a release and a delete
// from two consoles. One delivery per release, never a released message
// without its body. The store-level race is in test/contract/release-once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Message } from '../../api/schemas.js';
import type { MessageRecord } from '../../core/model.js';
import { expectProblem, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.stop(); });

let seq = 0;
/** A quarantined message with its body in the spool, as the score worker leaves it. */
async function held(tenantId: string): Promise<MessageRecord> {
  const id = `race${String(++seq).padStart(8, '0')}`;
  const at = h.clock.now().toISOString();
  const rec: MessageRecord = {
    id, tenantId, spoolKey: `spool-${id}`, subject: `Held ${id}`, envelope: { mailFrom: 'alice@shop.example', rcptTo: ['bob@example.net'] },
    clientIp: '192.0.2.10', identity: { kind: 'smtp-user', tenantId, username: 'alice@shop.example', userKind: 'mailbox' },
    sender: 'alice@shop.example', size: 40, receivedAt: at, status: 'quarantined',
    verdict: { verdict: 'quarantine', score: 7, thresholds: { quarantine: 5, reject: 10 }, signals: [], monitorOnly: false, decidedAt: at },
    recipients: [{ rcpt: 'bob@example.net', state: 'pending', attempts: 0 }], updatedAt: at,
  };
  await h.stores.spool.put(rec.spoolKey, (async function* () { yield Buffer.from(`Subject: ${rec.subject}\r\n\r\nhello\r\n`); })());
  await h.stores.intake.accept({ ...rec, status: 'accepted' }); // the body is durable once the intake committed it
  await h.stores.messages.put(rec);
  return rec;
}

/** Deliver jobs queued for `id` (received and acknowledged, so the next count starts from zero). */
async function takeJobs(id: string): Promise<number> {
  const jobs = await h.stores.deliverQueue.receive(100, 30);
  for (const j of jobs) await h.stores.deliverQueue.ack(j.id);
  return jobs.filter((j) => j.job.messageId === id).length;
}

async function hasBody(key: string): Promise<boolean> {
  return h.stores.spool.get(key).then(() => true, () => false);
}

describe('release and delete when requests cross', () => {
  test('two releases of one message sent at once both answer 200 and queue one delivery', async () => {
    const t = await h.tenant();
    for (let round = 0; round < 5; round++) {
      const m = await held(t.id);
      await takeJobs(m.id);
      const replies = await Promise.all([1, 2].map(() => h.call('POST', `/v1/messages/${m.id}/release`, { token: t.token })));
      for (const r of replies) {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        Message.parse(r.body);
        assert.equal(r.body.status, 'released');
      }
      assert.equal(await takeJobs(m.id), 1, `round ${round}: one delivery, not one per click`);
    }
  });

  test('a release retried after it went through answers 200 with the message as it now is and queues nothing', async () => {
    const t = await h.tenant();
    const m = await held(t.id);
    assert.equal((await h.call('POST', `/v1/messages/${m.id}/release`, { token: t.token })).status, 200);
    assert.equal(await takeJobs(m.id), 1);
    // The deliver worker has since taken it out.
    const inDelivery = (await h.stores.messages.get(m.id))!;
    await h.stores.messages.put({ ...inDelivery, status: 'delivered', recipients: [{ rcpt: 'bob@example.net', state: 'delivered', attempts: 1, reply: '250 ok' }] });
    const again = await h.call('POST', `/v1/messages/${m.id}/release`, { token: t.token });
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'delivered');
    assert.equal(await takeJobs(m.id), 0, 'a retry never sends the message a second time');
  });

  test('a release and a delete sent at once leave the message deleted, or released with its body and one delivery', async () => {
    const t = await h.tenant();
    for (let round = 0; round < 5; round++) {
      const m = await held(t.id);
      await takeJobs(m.id);
      const [release, del] = await Promise.all([
        h.call('POST', `/v1/messages/${m.id}/release`, { token: t.token }),
        h.call('DELETE', `/v1/messages/${m.id}`, { token: t.token }),
      ]);
      const status = (await h.stores.messages.get(m.id))?.status;
      if (status === 'released') {
        assert.equal(release.status, 200);
        expectProblem(del, 409, 'CONFLICT');
        assert.ok(await hasBody(m.spoolKey), `round ${round}: a released message keeps its body`);
        assert.equal(await takeJobs(m.id), 1);
      } else {
        assert.equal(status, 'deleted', `round ${round}`);
        assert.equal(del.status, 204);
        expectProblem(release, 409, 'CONFLICT');
        assert.equal(await hasBody(m.spoolKey), false);
        assert.equal(await takeJobs(m.id), 0, `round ${round}: a deleted message is not delivered`);
      }
    }
  });

  test('deleting a deleted message again answers 204, and it cannot be released any more', async () => {
    const t = await h.tenant();
    const m = await held(t.id);
    assert.equal((await h.call('DELETE', `/v1/messages/${m.id}`, { token: t.token })).status, 204);
    assert.equal((await h.call('DELETE', `/v1/messages/${m.id}`, { token: t.token })).status, 204);
    const refused = expectProblem(await h.call('POST', `/v1/messages/${m.id}/release`, { token: t.token }), 409, 'CONFLICT');
    assert.match(refused.detail, /deleted/);
    assert.equal(await takeJobs(m.id), 0);
  });
});
