import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDomainError, toSmtpReply } from '../../core/errors.js';
import { assessSender, checkSenderAllowed } from '../../core/reputation/index.js';
import { addMailboxUser, content, domainUser, makeMessage, makeTenant, makeWorld, rcpts, DAY, HOUR, MIN } from './helpers.js';

const names = (a: { signals: { name: string }[] }) => a.signals.map((s) => s.name);

test('a brand-new sender gets conservative limits: past 40 recipients in an hour it is throttled with 451 and the reason', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = domainUser('t1', 'fresh.example');
  let last;
  for (let i = 0; i < 5; i++) {
    last = await assessSender(w.deps, tenant, makeMessage(w, id, 'orders@fresh.example', rcpts(9, `b${i}`, 2)), content(0));
    w.clock.advance(MIN);
  }
  assert.ok(names(last!).includes('volume-hour-high'), `signals: ${names(last!)}`);
  assert.ok(last!.throttledUntil);
  await assert.rejects(checkSenderAllowed(w.deps, { tenant, sender: 'orders@fresh.example', clientIp: '192.0.2.1', identity: id }), (err) => {
    assert.ok(isDomainError(err, 'SENDER_THROTTLED'));
    const reply = toSmtpReply(err);
    assert.equal(reply.code, 451);
    assert.match(reply.message, /volume-hour-high: 45 recipients this hour, allowance 40/);
    return true;
  });
  assert.equal(w.events.at(-1)?.type, 'sender.throttled');
});

test('limits relax as a sender builds history: the same hour that throttled a new sender passes after a month of similar days', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = domainUser('t1', 'steady.example');
  for (let d = 0; d < 31; d++) {
    for (let i = 0; i < 4; i++) {
      const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'orders@steady.example', rcpts(8, `d${d}i${i}`, 2)), content(0));
      if (d > 0) assert.equal(a.throttledUntil, undefined, `day ${d} message ${i}: ${names(a)}`);
      w.clock.advance(10 * MIN);
    }
    w.clock.advance(DAY - 40 * MIN);
  }
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'orders@steady.example', rcpts(45, 'big', 2)), content(0));
  assert.ok(!names(a).includes('volume-hour-high'), `allowance must have grown: ${names(a)}`);
});

test('an established mailbox user writing one text to many new recipients on many domains draws spread signals', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'alice@t1.example');
  const contacts = rcpts(6, 'friend', 2);
  for (let d = 0; d < 5; d++) {
    for (let i = 0; i < 6; i++) {
      await assessSender(w.deps, tenant, makeMessage(w, id, 'alice@t1.example', [contacts[i]!]), content(0));
      w.clock.advance(30 * MIN);
    }
    w.clock.advance(DAY - 3 * HOUR);
  }
  const blast = content(0, { bodyFingerprint: 'same-text' });
  let a;
  for (let i = 0; i < 3; i++) a = await assessSender(w.deps, tenant, makeMessage(w, id, 'alice@t1.example', rcpts(16, `x${i}`)), blast);
  const got = names(a!);
  for (const s of ['recipients-per-message-high', 'many-recipient-domains', 'new-recipients-share', 'identical-body-fanout']) assert.ok(got.includes(s), `${s} missing in ${got}`);
  assert.ok(a!.signals.every((s) => s.detail && s.detail.length > 10), 'every signal says what was measured');
});

test('a shop whose customers are always new never draws new-recipients-share', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = domainUser('t1', 'shop.example');
  let a;
  for (let d = 0; d < 5; d++) {
    for (let i = 0; i < 8; i++) {
      a = await assessSender(w.deps, tenant, makeMessage(w, id, 'orders@shop.example', [`c${d}-${i}@gmail.example`]), content(0));
      w.clock.advance(5 * MIN);
    }
    w.clock.advance(DAY - 40 * MIN);
  }
  assert.ok(!names(a!).includes('new-recipients-share'), `${names(a!)}`);
});

test('many never-seen envelope senders behind one IP user draw ip-user-new-senders', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = { kind: 'ip-user' as const, tenantId: 't1', ipUserId: 'ipu1', cidr: '203.0.113.0/24' };
  let a;
  for (let i = 0; i < 7; i++) a = await assessSender(w.deps, tenant, makeMessage(w, id, `rnd${i}@site.example`, [`v${i}@x.example`]), content(0));
  assert.ok(names(a!).includes('ip-user-new-senders'), `${names(a!)}`);
});

test('a declared bulk sender may send its declared volume from its first day', async () => {
  const w = makeWorld([makeTenant('t1', { bulkSenders: [{ sender: 'news.example', hourlyVolume: 5000 }] })]);
  const tenant = w.tenants.get('t1')!;
  const id = domainUser('t1', 'news.example');
  const issue = content(0, { bodyFingerprint: 'issue-1' });
  for (let i = 0; i < 40; i++) {
    const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'news.example', rcpts(50, `n${i}`, 25)), issue);
    assert.deepEqual(names(a), [], `batch ${i}`);
    w.clock.advance(8_000);
  }
});

test('more messages in a minute than the sender ever sent draws rate-minute-high', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'bob@t1.example');
  let a;
  for (let i = 0; i < 6; i++) a = await assessSender(w.deps, tenant, makeMessage(w, id, 'bob@t1.example', [`p${i}@x.example`]), content(0));
  assert.ok(names(a!).includes('rate-minute-high'));
});
