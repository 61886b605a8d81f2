import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDomainError, toProblem, toSmtpReply } from '../../core/errors.js';
import { assessSender, checkSenderAllowed, explainSender, holdPendingMessages, isSenderLocked, lockSender, recordDeliveryOutcome, recordLogin } from '../../core/reputation/index.js';
import { addMailboxUser, content, domainUser, makeMessage, makeTenant, makeWorld, spamUntilLocked, HOUR, MIN } from './helpers.js';

/** Spam messages to new recipients until the sender is locked (three are enough evidence). */
async function lockBySpam(w: ReturnType<typeof makeWorld>, tenantId: string, sender: string, identity: Parameters<typeof makeMessage>[1]) {
  assert.equal(identity.tenantId, tenantId);
  const a = await spamUntilLocked(w, identity, sender, { facts: { bodyFingerprint: 'spam' } });
  assert.ok(a?.locked, 'expected a lock');
  return a.locked;
}

test('a locked sender gets 550 5.7.1 at MAIL FROM with the reason, and the API problem says the same', async () => {
  const w = makeWorld();
  const id = domainUser('t1', 't1.example');
  await lockBySpam(w, 't1', 't1.example', id);
  const err = await checkSenderAllowed(w.deps, { tenant: w.tenants.get('t1')!, sender: 't1.example', clientIp: '192.0.2.1', identity: id }).catch((e: unknown) => e);
  assert.ok(isDomainError(err, 'SENDER_LOCKED'));
  const reply = toSmtpReply(err);
  assert.equal(reply.code, 550);
  assert.match(reply.message, /^5\.7\.1 Sender t1\.example is locked until .*: risk .* from content, outcome evidence: content-spam/);
  assert.equal(toProblem(err).status, 403);
});

test('an automatic lock lifts itself after its timeout, counted; after two automatic unlocks the next lock is manual', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = domainUser('t1', 't1.example');
  const ctx = { tenant, sender: 't1.example', clientIp: '192.0.2.1', identity: id };
  for (let round = 1; round <= 2; round++) {
    const lock = await lockBySpam(w, 't1', 't1.example', id);
    assert.equal(lock.by, 'auto');
    w.clock.advance(4 * HOUR + MIN);
    await checkSenderAllowed(w.deps, ctx); // lifts it
    assert.equal((await w.deps.senders.get('t1', 't1.example'))?.autoUnlocks, round);
    assert.equal(w.events.at(-1)?.type, 'sender.unlocked');
    w.clock.advance(8 * HOUR); // the halved evidence fades
  }
  const lock = await lockBySpam(w, 't1', 't1.example', id);
  assert.equal(lock.by, 'manual');
  assert.equal(lock.until, undefined);
  w.clock.advance(48 * HOUR);
  await assert.rejects(checkSenderAllowed(w.deps, ctx), /until your administrator unlocks it/);
  await lockSender(w.deps, 't1', 't1.example', undefined);
  await checkSenderAllowed(w.deps, ctx);
});

/**
 * An automatic lock on decisive evidence (most recipients refused as unknown),
 * which outlives the 4-hour lock in the ledger at a quarter of its weight.
 */
async function lockByUnknownRecipients(w: ReturnType<typeof makeWorld>, id: Parameters<typeof makeMessage>[1]) {
  const m = makeMessage(w, id, 't1.example', Array.from({ length: 12 }, (_, i) => `r${i}@x.example`));
  await recordDeliveryOutcome(w.deps, m, m.envelope.rcptTo.map((rcpt, i) => (i < 10 ? { rcpt, code: 550, reply: '550 5.1.1 user unknown' } : { rcpt, code: 250, reply: '250 ok' })));
  const lock = (await w.deps.senders.get('t1', 't1.example'))!.lock!;
  assert.equal(lock.by, 'auto');
  return lock;
}

test('a clean login after an automatic lock ran out does not renew it: the next MAIL FROM lifts it, counts it and tells the tenant', async () => {
  const w = makeWorld();
  const id = domainUser('t1', 't1.example');
  const ctx = { tenant: w.tenants.get('t1')!, sender: 't1.example', clientIp: '192.0.2.1', identity: id };
  const lock = await lockByUnknownRecipients(w, id);
  w.clock.advance(4 * HOUR + MIN);
  // AUTH comes before MAIL FROM: it brings no new evidence, so it must not lock again on the old.
  await recordLogin(w.deps, { tenantId: 't1', username: 't1.example', clientIp: '192.0.2.1', success: true });
  assert.equal((await w.deps.senders.get('t1', 't1.example'))?.lock?.lockedAt, lock.lockedAt, 'the same, expired lock');
  await checkSenderAllowed(w.deps, ctx);
  const rec = await w.deps.senders.get('t1', 't1.example');
  assert.equal(rec?.lock, undefined);
  assert.equal(rec?.autoUnlocks, 1);
  assert.equal(w.events.at(-1)?.type, 'sender.unlocked');
});

test('the first clean message after an automatic lock was lifted, and its delivery, do not lock the sender again on the evidence that set that lock', async () => {
  const w = makeWorld();
  const id = domainUser('t1', 't1.example');
  await lockByUnknownRecipients(w, id);
  w.clock.advance(4 * HOUR + MIN);
  await checkSenderAllowed(w.deps, { tenant: w.tenants.get('t1')!, sender: 't1.example', clientIp: '192.0.2.1', identity: id });
  assert.equal((await w.deps.senders.get('t1', 't1.example'))?.lock, undefined, 'lifted at MAIL FROM');
  const m = makeMessage(w, id, 't1.example', ['friend@y.example']);
  const a = await assessSender(w.deps, w.tenants.get('t1')!, m, content(0));
  assert.equal(a.locked, undefined, 'a clean message brings no evidence to lock on');
  await recordDeliveryOutcome(w.deps, m, [{ rcpt: 'friend@y.example', code: 250, reply: '250 ok' }]);
  assert.equal((await w.deps.senders.get('t1', 't1.example'))?.lock, undefined, 'nor does its delivery');
  assert.deepEqual(w.events.map((e) => e.type), ['sender.locked', 'sender.unlocked']);
});

test('a mailbox user\'s lock lifts only after the password was rotated, by timeout or by hand', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'ann@t1.example');
  const ctx = { tenant, sender: 'ann@t1.example', clientIp: '192.0.2.1', identity: id };
  const lock = await lockBySpam(w, 't1', 'ann@t1.example', id);
  assert.equal(lock.requiresPasswordRotation, true);
  w.clock.advance(5 * HOUR);
  await assert.rejects(checkSenderAllowed(w.deps, ctx), /password must be changed/);
  const err = await lockSender(w.deps, 't1', 'ann@t1.example', undefined).catch((e: unknown) => e);
  assert.ok(isDomainError(err, 'FORBIDDEN'));
  const user = w.users.get('ann@t1.example')!;
  w.users.set('ann@t1.example', { ...user, passwordVersion: 2, passwordChangedAt: w.clock.now().toISOString() });
  await checkSenderAllowed(w.deps, ctx); // expired and rotated: lifted
  assert.equal(await isSenderLocked(w.deps, 't1', 'ann@t1.example'), undefined);
});

test('a manual lock from the API holds what the sender still has queued, and tells the tenant', async () => {
  const w = makeWorld();
  const id = domainUser('t1', 't1.example');
  const queued = { ...makeMessage(w, id, 't1.example', ['a@x.example']), status: 'queued' as const };
  const delivering = { ...makeMessage(w, id, 't1.example', ['b@x.example']), status: 'delivering' as const };
  const done = { ...makeMessage(w, id, 't1.example', ['c@x.example']), status: 'delivered' as const };
  for (const m of [queued, delivering, done]) await w.messages.put(m);
  const lock = { reason: 'tenant admin: phished account', lockedAt: w.clock.now().toISOString(), by: 'manual' as const };
  await lockSender(w.deps, 't1', 't1.example', lock);
  assert.equal((await w.messages.get(queued.id))?.status, 'quarantined');
  assert.ok((await w.messages.get(queued.id))?.verdict?.signals.some((s) => s.name === 'sender-locked'));
  assert.equal((await w.messages.get(delivering.id))?.status, 'delivering', 'a delivery worker owns it; it checks isSenderLocked');
  assert.equal((await w.messages.get(done.id))?.status, 'delivered');
  assert.deepEqual((await isSenderLocked(w.deps, 't1', 't1.example'))?.reason, 'tenant admin: phished account');
  const ev = w.events.find((e) => e.type === 'sender.locked');
  assert.deepEqual((ev?.detail as { heldMessageIds: string[] }).heldMessageIds, [queued.id]);
  assert.deepEqual(await holdPendingMessages(w.deps, 't1', 't1.example', lock), [], 'nothing left to hold');
});

// A lock set by hand is the tenant's own decision, not an abuse finding of the gateway: the tenant's
// integrations hear of it (webhook), its abuse desk gets no ARF report claiming one.
test('a lock the tenant sets by hand is posted to its webhook but sends no ARF report, even with a transport and held mail at hand', async () => {
  const w = makeWorld([makeTenant('t1', { abuseContact: 'abuse@t1.example' })]);
  const id = domainUser('t1', 't1.example');
  const queued = { ...makeMessage(w, id, 't1.example', ['a@x.example']), status: 'queued' as const };
  w.spool.set(queued.spoolKey, Buffer.from('Subject: minutes\r\n\r\nhello\r\n'));
  await w.messages.put(queued);
  const lock = { reason: 'employee left', lockedAt: w.clock.now().toISOString(), by: 'manual' as const, evidence: { messageIds: [queued.id] } };
  await lockSender(w.deps, 't1', 't1.example', lock);
  assert.equal((await w.messages.get(queued.id))?.status, 'quarantined', 'its mail is held as after any lock');
  const ev = w.events.find((e) => e.type === 'sender.locked');
  assert.equal((ev?.detail as { lockedBy: string }).lockedBy, 'tenant');
  assert.deepEqual(w.sent, [], 'no abuse report');
});

test('a lock the policy decides sends the ARF report and says so in the webhook (lockedBy policy)', async () => {
  const w = makeWorld([makeTenant('t1', { abuseContact: 'abuse@t1.example' })]);
  const id = domainUser('t1', 't1.example');
  const a = await spamUntilLocked(w, id, 't1.example', { original: Buffer.from('Subject: pills\r\n\r\nbuy\r\n'), facts: { bodyFingerprint: 'spam' } });
  assert.ok(a?.locked);
  assert.equal((w.events.find((e) => e.type === 'sender.locked')?.detail as { lockedBy: string }).lockedBy, 'policy');
  assert.ok(w.sent.length >= 1 && w.sent.every((m) => m.rcptTo[0] === 'abuse@t1.example'));
});

test('a monitor-only tenant records the lock it would have set and locks nothing', async () => {
  const w = makeWorld([makeTenant('t1', { monitorOnly: true })]);
  const tenant = w.tenants.get('t1')!;
  const id = domainUser('t1', 't1.example');
  let a;
  for (let i = 0; i < 6; i++) a = await assessSender(w.deps, tenant, makeMessage(w, id, 't1.example', [`v${i}@x.example`]), content(7, { bodyFingerprint: 'spam' }));
  assert.equal(a!.locked, undefined);
  assert.match(a!.wouldLock ?? '', /content-spam/);
  await checkSenderAllowed(w.deps, { tenant, sender: 't1.example', clientIp: '192.0.2.1', identity: id });
  const rec = await w.deps.senders.get('t1', 't1.example');
  assert.match(explainSender(rec!, tenant.settings, w.clock.now()).wouldLock?.reason ?? '', /content-spam/);
});

test('a tenant can raise the lock threshold in its settings', async () => {
  const w = makeWorld([makeTenant('t1', { senderPolicy: { lockRisk: 100 } })]);
  const id = domainUser('t1', 't1.example');
  let a;
  for (let i = 0; i < 6; i++) a = await assessSender(w.deps, w.tenants.get('t1')!, makeMessage(w, id, 't1.example', [`v${i}@x.example`]), content(7));
  assert.equal(a!.locked, undefined);
});

test('the API explanation lists the evidence with its weight now, the risk and the learned baseline', async () => {
  const w = makeWorld();
  const id = domainUser('t1', 't1.example');
  await lockBySpam(w, 't1', 't1.example', id);
  const rec = await w.deps.senders.get('t1', 't1.example');
  const ex = explainSender(rec!, w.tenants.get('t1')!.settings, w.clock.now());
  assert.equal(ex.state, 'locked');
  assert.ok(ex.risk >= ex.lockAt);
  assert.ok(ex.evidence.some((e) => e.signal === 'content-spam' && e.family === 'content' && e.messageId && e.weightNow > 0));
  assert.equal(ex.baseline.allowances.hourRecipients, 40, 'a new sender\'s floor');
  // Once its time has run out the lock is lifted by the sender's next message: no longer shown as locked (as in the senders list).
  const later = new Date(Date.parse(rec!.lock!.until!) + 60_000);
  const after = explainSender(rec!, w.tenants.get('t1')!.settings, later);
  assert.ok(!rec!.lock!.requiresPasswordRotation, 'a content lock of a domain user needs no password change');
  assert.equal(after.state, 'ok');
});

test('the SMTP reply for a lock is ASCII and fits one reply line however much evidence there is', async () => {
  const w = makeWorld();
  const id = domainUser('t1', 't1.example');
  const long = { reason: 'evidence: ' + Array.from({ length: 60 }, (_, i) => `signal-${i}`).join(', '), lockedAt: w.clock.now().toISOString(), by: 'manual' as const };
  await lockSender(w.deps, 't1', 't1.example', long);
  const err = await checkSenderAllowed(w.deps, { tenant: w.tenants.get('t1')!, sender: 't1.example', clientIp: '192.0.2.1', identity: id }).catch((e: unknown) => e);
  const reply = toSmtpReply(err);
  assert.ok(reply.message.length < 500, `${reply.message.length} characters`);
  assert.match(reply.message, /\.\.\.$/);
  await lockBySpam(makeWorld(), 't1', 't1.example', id).then((lock) => assert.match(lock.reason, /^[\x20-\x7e]+$/, 'ASCII only'));
});

test('new evidence after an automatic lock ran out, before any MAIL FROM lifted it, counts the lapsed lock: repeated locks still escalate to manual', async () => {
  const w = makeWorld();
  const id = domainUser('t1', 't1.example');
  // Delivery replies (and SES feedback) arrive whether or not the sender reconnects.
  const first = await lockByUnknownRecipients(w, id);
  w.clock.advance(4 * HOUR + MIN);
  const second = await lockByUnknownRecipients(w, id);
  assert.notEqual(second.lockedAt, first.lockedAt, 'a new lock');
  let rec = await w.deps.senders.get('t1', 't1.example');
  assert.equal(rec?.autoUnlocks, 1, 'the lapsed lock is counted as an automatic unlock');
  assert.deepEqual(rec?.lockHistory?.map((e) => e.type), ['locked', 'auto-unlocked', 'locked']);
  w.clock.advance(4 * HOUR + MIN);
  const third = await lockByUnknownRecipients(w, id).catch(() => undefined);
  rec = await w.deps.senders.get('t1', 't1.example');
  assert.equal(rec?.autoUnlocks, 2);
  assert.equal(third, undefined, 'after two automatic unlocks the lock is manual');
  assert.equal(rec?.lock?.by, 'manual');
  assert.equal(rec?.lock?.until, undefined);
});

test('locking by hand a sender whose lock awaits a password rotation keeps that requirement: lock then unlock does not skip the rotation', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'ann@t1.example');
  const ctx = { tenant, sender: 'ann@t1.example', clientIp: '192.0.2.1', identity: id };
  await lockBySpam(w, 't1', 'ann@t1.example', id);
  w.clock.advance(MIN);
  const manual = { reason: 'locked by the tenant administrator', lockedAt: w.clock.now().toISOString(), by: 'manual' as const };
  const rec = await lockSender(w.deps, 't1', 'ann@t1.example', manual);
  assert.equal(rec.lock?.requiresPasswordRotation, true);
  const err = await lockSender(w.deps, 't1', 'ann@t1.example', undefined).catch((e: unknown) => e);
  assert.ok(isDomainError(err, 'FORBIDDEN'), 'the unlock still needs the rotation');
  await assert.rejects(checkSenderAllowed(w.deps, ctx), { code: 'SENDER_LOCKED' });
  // Once the password changed, the tenant's lock is its own to lift.
  w.clock.advance(MIN);
  const user = w.users.get('ann@t1.example')!;
  w.users.set('ann@t1.example', { ...user, passwordVersion: 2, passwordChangedAt: w.clock.now().toISOString() });
  await lockSender(w.deps, 't1', 'ann@t1.example', undefined);
  await checkSenderAllowed(w.deps, ctx);
});

test('a lock by hand after the password was already rotated does not ask for another rotation', async () => {
  const w = makeWorld();
  const id = addMailboxUser(w, 't1', 'ann@t1.example');
  await lockBySpam(w, 't1', 'ann@t1.example', id);
  w.clock.advance(MIN);
  const user = w.users.get('ann@t1.example')!;
  w.users.set('ann@t1.example', { ...user, passwordVersion: 2, passwordChangedAt: w.clock.now().toISOString() });
  w.clock.advance(MIN);
  const rec = await lockSender(w.deps, 't1', 'ann@t1.example', { reason: 'precaution', lockedAt: w.clock.now().toISOString(), by: 'manual' });
  assert.equal(rec.lock?.requiresPasswordRotation, undefined);
  await lockSender(w.deps, 't1', 'ann@t1.example', undefined);
});
