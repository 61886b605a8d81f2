// Sender lock history, the reputation summary and the dashboard's locks over
// real HTTP on the real local stores. Automatic locks and their timeouts go
// through the core/reputation entry points the score worker and the ingress
// call, on the same SQLite sender store the API reads.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ReputationSummary, Sender, SenderDetail, SenderList, Stats } from '../../api/schemas.js';
import type { Identity, MessageRecord } from '../../core/model.js';
import { assessSender, checkSenderAllowed } from '../../core/reputation/index.js';
import { LOCK_HISTORY_MAX } from '../../core/reputation/lock-history.js';
import type { ContentResult } from '../../core/scoring/index.js';
import { startHarness, type Harness } from './harness.js';

const MIN = 60_000, HOUR = 3600_000;

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.stop(); });

const deps = () => ({ clock: h.clock, senders: h.stores.senders, tenants: h.stores.tenants, messages: h.stores.messages });

let seq = 0;
function spam(tenantId: string, sender: string): { message: MessageRecord; content: ContentResult } {
  const at = h.clock.now().toISOString();
  const id = `hist-${++seq}`;
  const identity: Identity = { kind: 'smtp-user', tenantId, username: sender, userKind: 'domain' };
  const message: MessageRecord = {
    id, tenantId, spoolKey: `spool/${id}`, headerFrom: sender, envelope: { mailFrom: sender, rcptTo: [`v${seq}@x${seq}.example`] },
    clientIp: '192.0.2.10', identity, sender, size: 1000, receivedAt: at, status: 'accepted', recipients: [], updatedAt: at,
  };
  const content = { signals: [{ name: 'content-test', weight: 7 }], facts: { urls: [], bodyFingerprint: 'same-spam' } } as unknown as ContentResult;
  return { message, content };
}

/** Spam until the policy locks the sender, as the score worker would. */
async function autoLock(tenantId: string, sender: string): Promise<void> {
  const tenant = (await h.stores.tenants.getTenant(tenantId))!;
  for (let i = 0; i < 8; i++) {
    const { message, content } = spam(tenantId, sender);
    if ((await assessSender(deps(), tenant, message, content)).locked) return;
    h.clock.advance(MIN);
  }
  assert.fail('expected the policy to lock the sender');
}

describe('sender lock history', () => {
  test('an unlock keeps its reason, who and when, next to the lock it lifted', async () => {
    const t = await h.tenant();
    const locked = await h.call('POST', '/v1/senders/web@shop.example/lock', { token: t.token, body: { reason: 'contact form abused' } });
    Sender.parse(locked.body);
    const lockedAt = locked.body.lock.lockedAt;
    h.clock.advance(5 * MIN);
    const un = await h.call('POST', '/v1/senders/web@shop.example/unlock', { token: t.token, body: { reason: 'form fixed, captcha added' } });
    assert.equal(un.status, 200);
    Sender.parse(un.body);
    assert.equal(un.body.locked, false);

    const r = await h.call('GET', '/v1/senders/web@shop.example', { token: t.token });
    SenderDetail.parse(r.body);
    assert.deepEqual(r.body.lockHistory, [
      { type: 'locked', at: lockedAt, by: 'tenant', reason: 'contact form abused' },
      { type: 'unlocked', at: h.clock.now().toISOString(), by: 'tenant', reason: 'form fixed, captcha added', lockedAt },
    ]);
    assert.deepEqual(un.body.lockHistory, r.body.lockHistory, 'the unlock answer shows the same history');
  });

  test('an unlock without a reason is recorded with a default one, and a reason longer than 500 characters is a 400', async () => {
    const t = await h.tenant();
    await h.call('POST', '/v1/senders/quiet@shop.example/lock', { token: t.token });
    const tooLong = await h.call('POST', '/v1/senders/quiet@shop.example/unlock', { token: t.token, body: { reason: 'x'.repeat(501) } });
    assert.equal(tooLong.status, 400);
    assert.equal((await h.call('POST', '/v1/senders/quiet@shop.example/unlock', { token: t.token })).status, 200);
    const r = await h.call('GET', '/v1/senders/quiet@shop.example', { token: t.token });
    assert.deepEqual(r.body.lockHistory.map((e: { type: string; reason: string }) => [e.type, e.reason]), [
      ['locked', 'locked by the tenant administrator'], ['unlocked', 'unlocked by the tenant administrator'],
    ]);
  });

  test(`the history keeps the last ${LOCK_HISTORY_MAX} lock events, oldest first`, async () => {
    const t = await h.tenant();
    for (let i = 1; i <= 11; i++) {
      await h.call('POST', '/v1/senders/flappy@shop.example/lock', { token: t.token, body: { reason: `lock ${i}` } });
      h.clock.advance(1000);
      await h.call('POST', '/v1/senders/flappy@shop.example/unlock', { token: t.token, body: { reason: `unlock ${i}` } });
      h.clock.advance(1000);
    }
    const history = (await h.call('GET', '/v1/senders/flappy@shop.example', { token: t.token })).body.lockHistory;
    assert.equal(history.length, LOCK_HISTORY_MAX);
    assert.deepEqual([history[0].reason, history.at(-1).reason], ['lock 2', 'unlock 11']);
  });

  test('an automatic lock and the timeout that lifted it are in the history, by the policy', async () => {
    const t = await h.tenant();
    await autoLock(t.id, 'auto.example');
    const lock = (await h.stores.senders.get(t.id, 'auto.example'))!.lock!;
    assert.equal(lock.by, 'auto');
    h.clock.advance(Date.parse(lock.until!) - h.clock.now().getTime() + MIN);
    const tenant = (await h.stores.tenants.getTenant(t.id))!;
    await checkSenderAllowed(deps(), { tenant, sender: 'auto.example', clientIp: '192.0.2.10', identity: { kind: 'smtp-user', tenantId: t.id, username: 'auto.example', userKind: 'domain' } });

    const r = await h.call('GET', '/v1/senders/auto.example', { token: t.token });
    assert.equal(r.body.locked, false);
    assert.deepEqual(r.body.lockHistory.map((e: { type: string; by: string }) => [e.type, e.by]), [['locked', 'policy'], ['auto-unlocked', 'policy']]);
    assert.equal(r.body.lockHistory[0].reason, lock.reason);
    assert.equal(r.body.lockHistory[0].until, lock.until);
    assert.equal(r.body.lockHistory[1].lockedAt, lock.lockedAt);
  });
});

describe('sender reputation summary', () => {
  test('the sender list gives each sender its risk, lock threshold, volumes and recent signals', async () => {
    const t = await h.tenant();
    await autoLock(t.id, 'risky.example');
    await h.call('POST', '/v1/senders/calm@shop.example/lock', { token: t.token });
    await h.call('POST', '/v1/senders/calm@shop.example/unlock', { token: t.token });
    const r = await h.call('GET', '/v1/senders', { token: t.token });
    SenderList.parse(r.body);
    const risky = r.body.items.find((s: { sender: string }) => s.sender === 'risky.example');
    const calm = r.body.items.find((s: { sender: string }) => s.sender === 'calm@shop.example');
    ReputationSummary.parse(risky.reputation);
    assert.equal(risky.reputation.state, 'locked');
    assert.ok(risky.reputation.risk >= risky.reputation.lockAt, `risk ${risky.reputation.risk} reaches lockAt ${risky.reputation.lockAt}`);
    assert.ok(risky.reputation.messages >= 2);
    assert.ok(risky.reputation.recentSignals.includes('content-spam'), JSON.stringify(risky.reputation.recentSignals));
    assert.deepEqual([calm.reputation.state, calm.reputation.risk, calm.reputation.recentSignals], ['ok', 0, []]);
    assert.equal(risky.lockHistory, undefined, 'the list leaves the history out');
    // The console shows the first scalar fields of `reputation` as its summary: risk comes first.
    assert.deepEqual(Object.keys(risky.reputation).slice(0, 2), ['risk', 'lockAt']);
  });

  test('one sender adds the evidence and the baseline to the same summary', async () => {
    const t = await h.tenant();
    await autoLock(t.id, 'detail.example');
    const r = await h.call('GET', '/v1/senders/detail.example', { token: t.token });
    SenderDetail.parse(r.body);
    const rep = r.body.reputation;
    ReputationSummary.parse(rep);
    assert.ok(rep.evidence.some((e: { signal: string; messageId?: string }) => e.signal === 'content-spam' && e.messageId));
    assert.equal(rep.baseline.messages, rep.messages);
  });
});

describe('locks in the stats', () => {
  test('a lock lifted since still counts in the last 24 hours, marked lifted with the reason', async () => {
    const t = await h.tenant();
    await h.call('POST', '/v1/senders/gone@shop.example/lock', { token: t.token, body: { reason: 'phishing' } });
    h.clock.advance(10 * MIN);
    await h.call('POST', '/v1/senders/gone@shop.example/unlock', { token: t.token, body: { reason: 'password changed' } });
    await h.call('POST', '/v1/senders/held@shop.example/lock', { token: t.token, body: { reason: 'spam run' } });
    await autoLock(t.id, 'timedout.example');
    const lock = (await h.stores.senders.get(t.id, 'timedout.example'))!.lock!;
    h.clock.advance(Date.parse(lock.until!) - h.clock.now().getTime() + MIN);
    const tenant = (await h.stores.tenants.getTenant(t.id))!;
    await checkSenderAllowed(deps(), { tenant, sender: 'timedout.example', clientIp: '192.0.2.10', identity: { kind: 'smtp-user', tenantId: t.id, username: 'timedout.example', userKind: 'domain' } });

    const r = await h.call('GET', '/v1/stats', { token: t.token });
    Stats.parse(r.body);
    const bySender = Object.fromEntries(r.body.locks.map((l: { sender: string }) => [l.sender, l]));
    assert.deepEqual(Object.keys(bySender).sort(), ['gone@shop.example', 'held@shop.example', 'timedout.example']);
    assert.deepEqual([bySender['gone@shop.example'].active, bySender['gone@shop.example'].by, bySender['gone@shop.example'].reason, bySender['gone@shop.example'].liftReason],
      [false, 'manual', 'phishing', 'password changed']);
    assert.equal(bySender['held@shop.example'].active, true);
    assert.equal(bySender['held@shop.example'].liftedAt, undefined);
    assert.deepEqual([bySender['timedout.example'].active, bySender['timedout.example'].by, bySender['timedout.example'].liftReason],
      [false, 'auto', 'the automatic lock ran out']);
  });

  test('a lock set more than 24 hours ago is not counted, even when lifted within them', async () => {
    const t = await h.tenant();
    await h.call('POST', '/v1/senders/old@shop.example/lock', { token: t.token });
    h.clock.advance(25 * HOUR);
    await h.call('POST', '/v1/senders/old@shop.example/unlock', { token: t.token, body: { reason: 'done' } });
    const r = await h.call('GET', '/v1/stats', { token: t.token });
    assert.deepEqual(r.body.locks, []);
  });
});
