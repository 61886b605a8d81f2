// The message log, the quarantine, sender locks, settings and stats over real
// HTTP. Messages are written straight into the real local message store, as
// the score worker would leave them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Message, MessageList, Sender, SenderDetail, Settings, Stats } from '../../api/schemas.js';
import type { MessageRecord, MessageStatus, Verdict } from '../../core/model.js';
import { lockSender } from '../../core/reputation/index.js';
import { expectProblem, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.stop(); });

let seq = 0;
async function message(tenantId: string, o: { status?: MessageStatus; verdict?: Verdict; sender?: string; subject?: string; receivedAt?: Date } = {}): Promise<MessageRecord> {
  const id = `m${String(++seq).padStart(8, '0')}`;
  const sender = o.sender ?? 'alice@shop.example';
  const at = (o.receivedAt ?? h.clock.now()).toISOString();
  const rec: MessageRecord = {
    id, tenantId, spoolKey: `spool-${id}`, messageId: `<${id}@shop.example>`, subject: o.subject ?? `Order ${id}`, headerFrom: sender,
    envelope: { mailFrom: sender, rcptTo: ['bob@example.net', 'carol@example.org'] }, clientIp: '192.0.2.10',
    identity: { kind: 'smtp-user', tenantId, username: sender, userKind: 'mailbox' }, sender, size: 1234, receivedAt: at,
    status: o.status ?? 'delivered',
    ...(o.verdict ? {
      verdict: {
        verdict: o.verdict, score: o.verdict === 'deliver' ? 1.5 : 7.25, thresholds: { quarantine: 5, reject: 10 }, monitorOnly: false, decidedAt: at,
        signals: [{ name: 'url-shortener', weight: 2.5, detail: 'bit.ly link' }, { name: 'bayes-spam', weight: 4.75 }],
      },
    } : {}),
    recipients: [
      { rcpt: 'bob@example.net', state: 'delivered', attempts: 1, reply: '250 2.0.0 OK queued as 1234', mx: 'mx.example.net', lastAttemptAt: at },
      { rcpt: 'carol@example.org', state: 'pending', attempts: 0 },
    ],
    updatedAt: at,
  };
  await h.stores.spool.put(rec.spoolKey, (async function* () { yield Buffer.from(`Subject: ${rec.subject}\r\n\r\nhello\r\n`); })());
  await h.stores.messages.put(rec);
  return rec;
}

describe('message log', () => {
  test('an entry shows ids, headers, envelope, client, verdict with signals and weights, and delivery replies', async () => {
    const t = await h.tenant();
    const m = await message(t.id, { verdict: 'deliver' });
    const r = await h.call('GET', `/v1/messages/${m.id}`, { token: t.token });
    assert.equal(r.status, 200);
    Message.parse(r.body);
    assert.equal(r.body.messageId, m.messageId);
    assert.equal(r.body.subject, m.subject);
    assert.deepEqual(r.body.envelope, m.envelope);
    assert.equal(r.body.clientIp, '192.0.2.10');
    assert.deepEqual(r.body.identity, { kind: 'smtp-user', username: 'alice@shop.example', userKind: 'mailbox' });
    assert.deepEqual(r.body.verdict.signals.map((s: { name: string; weight: number }) => [s.name, s.weight]), [['url-shortener', 2.5], ['bayes-spam', 4.75]]);
    assert.deepEqual(r.body.verdict.thresholds, { quarantine: 5, reject: 10 });
    assert.equal(r.body.recipients[0].reply, '250 2.0.0 OK queued as 1234');
    assert.equal(r.body.spoolKey, undefined, 'internal keys stay inside');
  });

  test('the stored message can be read for review, by its tenant only', async () => {
    const t = await h.tenant();
    const other = await h.tenant();
    const m = await message(t.id, { verdict: 'quarantine', status: 'quarantined', subject: 'Invoice 77' });
    const r = await h.call('GET', `/v1/messages/${m.id}/raw`, { token: t.token });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { id: m.id, size: 30, truncated: false, raw: 'Subject: Invoice 77\r\n\r\nhello\r\n' });
    expectProblem(await h.call('GET', `/v1/messages/${m.id}/raw`, { token: other.token }), 404, 'NOT_FOUND');
    await h.call('DELETE', `/v1/messages/${m.id}`, { token: t.token });
    expectProblem(await h.call('GET', `/v1/messages/${m.id}/raw`, { token: t.token }), 404, 'NOT_FOUND');
  });

  test('a message whose stored content is gone is a 404 that does not show the internal spool key', async () => {
    const t = await h.tenant();
    const m = await message(t.id, { verdict: 'quarantine', status: 'quarantined' });
    await h.stores.spool.delete(m.spoolKey);
    const p = expectProblem(await h.call('GET', `/v1/messages/${m.id}/raw`, { token: t.token }), 404, 'NOT_FOUND');
    assert.doesNotMatch(p.detail ?? '', new RegExp(m.spoolKey));
    assert.match(p.detail ?? '', /no longer stored/);
  });

  test('filters by sender, verdict, status and subject, and pages with a cursor', async () => {
    const t = await h.tenant();
    const base = h.clock.now().getTime();
    for (let i = 0; i < 5; i++) await message(t.id, { verdict: 'deliver', sender: 'news@shop.example', receivedAt: new Date(base - i * 60_000) });
    const held = await message(t.id, { verdict: 'quarantine', status: 'quarantined', sender: 'mallory@shop.example', subject: 'You WON a prize' });

    const bySender = await h.call('GET', '/v1/messages?sender=Mallory@Shop.Example', { token: t.token });
    assert.deepEqual(bySender.body.items.map((m: { id: string }) => m.id), [held.id]);
    assert.equal((await h.call('GET', '/v1/messages?verdict=quarantine', { token: t.token })).body.items.length, 1);
    assert.equal((await h.call('GET', '/v1/messages?status=delivered', { token: t.token })).body.items.length, 5);
    assert.equal((await h.call('GET', '/v1/messages?subject=won%20a', { token: t.token })).body.items[0].id, held.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await h.call('GET', `/v1/messages?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: t.token });
      MessageList.parse(r.body);
      assert.ok(r.body.items.length <= 2);
      seen.push(...r.body.items.map((m: { id: string }) => m.id));
      cursor = r.body.cursor;
      if (!cursor) break;
    }
    assert.equal(seen.length, 6);
    assert.equal(new Set(seen).size, 6, 'pages do not repeat messages');

    const since = new Date(base - 90_000).toISOString().replace('Z', '+00:00');
    assert.equal((await h.call('GET', `/v1/messages?sender=news@shop.example&since=${encodeURIComponent(since)}`, { token: t.token })).body.items.length, 2);
  });

  test('a bad query is a 400 problem naming the parameter', async () => {
    const t = await h.tenant();
    const p = expectProblem(await h.call('GET', '/v1/messages?limit=0&verdict=spammy', { token: t.token }), 400, 'VALIDATION');
    assert.deepEqual(p.errors?.map((e) => e.path).sort(), ['query.limit', 'query.verdict']);
    expectProblem(await h.call('GET', '/v1/messages?since=yesterday', { token: t.token }), 400, 'VALIDATION');
  });

  test('a time window whose until is before its since is a 400 naming until; an equal or open one is fine', async () => {
    const t = await h.tenant();
    const q = (since: string, until: string) => `/v1/messages?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`;
    const p = expectProblem(await h.call('GET', q('2024-05-02T00:00:00Z', '2024-05-01T00:00:00Z'), { token: t.token }), 400, 'VALIDATION');
    assert.deepEqual(p.errors?.map((e) => e.path), ['query.until']);
    // Offsets count: 01:00+02:00 is 23:00Z the day before, so this window is reversed too.
    expectProblem(await h.call('GET', q('2024-05-01T00:00:00Z', '2024-05-01T01:00:00+02:00'), { token: t.token }), 400, 'VALIDATION');
    assert.equal((await h.call('GET', q('2024-05-01T00:00:00Z', '2024-05-01T00:00:00Z'), { token: t.token })).status, 200);
    assert.equal((await h.call('GET', q('2024-05-01T00:00:00Z', '2024-05-01T03:00:00+02:00'), { token: t.token })).status, 200);
  });

  test("another tenant's message is not found, to read, release or delete", async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    const m = await message(a.id, { verdict: 'quarantine', status: 'quarantined' });
    expectProblem(await h.call('GET', `/v1/messages/${m.id}`, { token: b.token }), 404, 'NOT_FOUND');
    expectProblem(await h.call('POST', `/v1/messages/${m.id}/release`, { token: b.token }), 404, 'NOT_FOUND');
    expectProblem(await h.call('DELETE', `/v1/messages/${m.id}`, { token: b.token }), 404, 'NOT_FOUND');
    assert.deepEqual((await h.call('GET', '/v1/messages', { token: b.token })).body.items, []);
    assert.equal((await h.stores.messages.get(m.id))?.status, 'quarantined');
  });
});

describe('quarantine', () => {
  test('releasing a held message marks it released and queues its delivery', async () => {
    const t = await h.tenant();
    const m = await message(t.id, { verdict: 'quarantine', status: 'quarantined' });
    const before = h.stores.deliverQueue.depth();
    const r = await h.call('POST', `/v1/messages/${m.id}/release`, { token: t.token });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'released');
    assert.equal((await h.stores.messages.get(m.id))?.status, 'released');
    assert.equal(h.stores.deliverQueue.depth(), before + 1);
    const jobs = await h.stores.deliverQueue.receive(100, 30);
    assert.ok(jobs.some((j) => j.job.messageId === m.id && j.job.attempt === 1));
    for (const j of jobs) await h.stores.deliverQueue.ack(j.id);

    // A second release (a retry, a double click) answers with the message as it is and queues nothing.
    const queued = h.stores.deliverQueue.depth();
    const again = await h.call('POST', `/v1/messages/${m.id}/release`, { token: t.token });
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'released');
    assert.equal(h.stores.deliverQueue.depth(), queued);
  });

  test('mail that was delivered cannot be released', async () => {
    const t = await h.tenant();
    const m = await message(t.id, { verdict: 'deliver', status: 'delivered' });
    expectProblem(await h.call('POST', `/v1/messages/${m.id}/release`, { token: t.token }), 409, 'CONFLICT');
  });

  test('deleting a held message removes its body and keeps a deleted entry in the log', async () => {
    const t = await h.tenant();
    const m = await message(t.id, { verdict: 'reject', status: 'rejected' });
    assert.equal((await h.call('DELETE', `/v1/messages/${m.id}`, { token: t.token })).status, 204);
    await assert.rejects(h.stores.spool.get(m.spoolKey));
    assert.equal((await h.call('GET', `/v1/messages/${m.id}`, { token: t.token })).body.status, 'deleted');
    const delivered = await message(t.id, { status: 'delivered' });
    expectProblem(await h.call('DELETE', `/v1/messages/${delivered.id}`, { token: t.token }), 409, 'CONFLICT');
  });
});

describe('senders', () => {
  test('a tenant locks and unlocks a sender by hand', async () => {
    const t = await h.tenant();
    const r = await h.call('POST', '/v1/senders/Web@Shop.Example/lock', { token: t.token, body: { reason: 'contact form abused' } });
    assert.equal(r.status, 200);
    Sender.parse(r.body);
    assert.deepEqual([r.body.sender, r.body.locked, r.body.lock.by, r.body.lock.reason], ['web@shop.example', true, 'manual', 'contact form abused']);
    const list = await h.call('GET', '/v1/senders', { token: t.token });
    assert.equal(list.body.items[0].sender, 'web@shop.example');
    const un = await h.call('POST', '/v1/senders/web@shop.example/unlock', { token: t.token });
    assert.equal(un.status, 200);
    assert.equal(un.body.locked, false);
    assert.equal((await h.stores.senders.get(t.id, 'web@shop.example'))?.lock, undefined);
  });

  test('a lock that requires a password rotation holds until the password is rotated', async () => {
    const t = await h.tenant();
    await h.call('POST', '/v1/domains', { token: t.token, body: { domain: 'rotate.example' } });
    await h.call('POST', '/v1/users', { token: t.token, body: { username: 'joe@rotate.example' } });
    h.clock.advance(1000);
    await lockSender({ clock: h.clock, senders: h.stores.senders, tenants: h.stores.tenants }, t.id, 'joe@rotate.example', {
      reason: 'logins from 40 countries in an hour', lockedAt: h.clock.now().toISOString(), by: 'auto', requiresPasswordRotation: true,
    });
    const refused = expectProblem(await h.call('POST', '/v1/senders/joe@rotate.example/unlock', { token: t.token }), 403, 'FORBIDDEN');
    assert.match(refused.detail, /password/);
    assert.match(refused.detail, /\/v1\/users\/joe%40rotate\.example\/password/);
    assert.equal((await h.stores.senders.get(t.id, 'joe@rotate.example'))?.lock?.reason, 'logins from 40 countries in an hour');

    h.clock.advance(1000);
    assert.equal((await h.call('POST', '/v1/users/joe@rotate.example/password', { token: t.token })).status, 200);
    const ok = await h.call('POST', '/v1/senders/joe@rotate.example/unlock', { token: t.token });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.locked, false);
  });

  test('a manual lock holds the mail the sender still has waiting in the pipeline', async () => {
    const t = await h.tenant();
    const waiting = await message(t.id, { status: 'queued', verdict: 'deliver', sender: 'leaky@shop.example' });
    const sent = await message(t.id, { status: 'delivered', verdict: 'deliver', sender: 'leaky@shop.example' });
    assert.equal((await h.call('POST', '/v1/senders/leaky@shop.example/lock', { token: t.token })).status, 200);
    assert.equal((await h.stores.messages.get(waiting.id))?.status, 'quarantined');
    assert.equal((await h.stores.messages.get(sent.id))?.status, 'delivered');
  });

  test('one sender shows its lock with the reputation behind it', async () => {
    const t = await h.tenant();
    await h.call('POST', '/v1/senders/shown@shop.example/lock', { token: t.token, body: { reason: 'looked odd' } });
    const r = await h.call('GET', '/v1/senders/shown@shop.example', { token: t.token });
    assert.equal(r.status, 200);
    SenderDetail.parse(r.body);
    assert.equal(r.body.reputation.state, 'locked');
    assert.equal(typeof r.body.reputation.lockAt, 'number');
  });

  test("another tenant's sender is not found", async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    await h.call('POST', '/v1/senders/x@a.example/lock', { token: a.token });
    expectProblem(await h.call('GET', '/v1/senders/x@a.example', { token: b.token }), 404, 'NOT_FOUND');
    expectProblem(await h.call('POST', '/v1/senders/x@a.example/unlock', { token: b.token }), 404, 'NOT_FOUND');
    assert.equal((await h.stores.senders.get(a.id, 'x@a.example'))?.lock?.by, 'manual');
  });
});

describe('settings and stats', () => {
  test('settings show defaults and the SMTP endpoint, and PATCH validates and clears fields', async () => {
    const t = await h.tenant();
    const r = await h.call('GET', '/v1/settings', { token: t.token });
    Settings.parse(r.body);
    assert.deepEqual([r.body.quarantineThreshold, r.body.rejectThreshold, r.body.monitorOnly], [5, 10, false]);
    assert.deepEqual(r.body.smtp, { host: 'smtp.relay.test', port: 587 });

    const p = await h.call('PATCH', '/v1/settings', { token: t.token, body: { monitorOnly: true, webhookUrl: 'https://hooks.example/rg', quarantineThreshold: 4 } });
    assert.equal(p.status, 200);
    assert.deepEqual([p.body.monitorOnly, p.body.webhookUrl, p.body.quarantineThreshold], [true, 'https://hooks.example/rg', 4]);
    assert.equal((await h.stores.tenants.getTenant(t.id))?.settings.monitorOnly, true);

    const cleared = await h.call('PATCH', '/v1/settings', { token: t.token, body: { webhookUrl: null } });
    assert.equal(cleared.body.webhookUrl, undefined);
    const inverted = expectProblem(await h.call('PATCH', '/v1/settings', { token: t.token, body: { quarantineThreshold: 12 } }), 400, 'VALIDATION');
    assert.match(inverted.detail, /rejectThreshold/);
    expectProblem(await h.call('PATCH', '/v1/settings', { token: t.token, body: { webhookUrl: 'ftp://x.example' } }), 400, 'VALIDATION');

    const policy = await h.call('PATCH', '/v1/settings', { token: t.token, body: { senderPolicy: { maxAutoUnlocks: 1 } } });
    assert.deepEqual(policy.body.senderPolicy, { maxAutoUnlocks: 1 });
    assert.deepEqual((await h.stores.tenants.getTenant(t.id))?.settings.senderPolicy, { maxAutoUnlocks: 1 });
    const typo = expectProblem(await h.call('PATCH', '/v1/settings', { token: t.token, body: { senderPolicy: { maxAutoUnlock: 1 } } }), 400, 'VALIDATION');
    assert.match(typo.detail, /maxAutoUnlock/);
  });

  test('stats count the last 24 hours by hour and verdict, with top senders and locks', async () => {
    const t = await h.tenant();
    const now = h.clock.now().getTime();
    await message(t.id, { verdict: 'deliver', sender: 'a@s.example', receivedAt: new Date(now - 60_000) });
    await message(t.id, { verdict: 'deliver', sender: 'a@s.example', receivedAt: new Date(now - 3 * 3600_000) });
    await message(t.id, { verdict: 'quarantine', status: 'quarantined', sender: 'b@s.example', receivedAt: new Date(now - 60_000) });
    await message(t.id, { verdict: 'deliver', sender: 'old@s.example', receivedAt: new Date(now - 30 * 3600_000) });
    await h.call('POST', '/v1/senders/b@s.example/lock', { token: t.token });

    const r = await h.call('GET', '/v1/stats', { token: t.token });
    assert.equal(r.status, 200);
    Stats.parse(r.body);
    assert.equal(r.body.hourly.length, 24);
    assert.deepEqual([r.body.totals.messages, r.body.totals.deliver, r.body.totals.quarantine], [3, 2, 1]);
    const last = r.body.hourly.at(-1);
    assert.equal(last.deliver + last.quarantine, 2, 'the two recent messages fall in the current hour');
    assert.deepEqual(r.body.topSenders[0], { sender: 'a@s.example', messages: 2, quarantined: 0, rejected: 0 });
    assert.deepEqual(r.body.locks.map((l: { sender: string; active: boolean }) => [l.sender, l.active]), [['b@s.example', true]]);
  });

  test('/v1/me shows the tenant, its usage and the SMTP endpoint', async () => {
    const t = await h.tenant('Me Inc', 4);
    await h.call('POST', '/v1/ip-users', { token: t.token, body: { cidr: '198.18.0.1' } });
    const r = await h.call('GET', '/v1/me', { token: t.token });
    assert.deepEqual([r.body.id, r.body.name, r.body.ipUserQuota, r.body.ipUsers, r.body.domains], [t.id, 'Me Inc', 4, 1, 0]);
    assert.deepEqual(r.body.smtp, { host: 'smtp.relay.test', port: 587 });
  });
});
