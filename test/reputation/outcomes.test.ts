import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessSender, checkSenderAllowed, explainSender, isInvalidRecipient, recordDeliveryOutcome, recordFeedback } from '../../core/reputation/index.js';
import { addMailboxUser, content, deliveredToAll, makeMessage, makeWorld, rcpts, DAY, MIN } from './helpers.js';

test('two spam verdicts among the last ten messages draw spam-history', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'carol@t1.example');
  const first = await assessSender(w.deps, tenant, makeMessage(w, id, 'carol@t1.example', ['a@x.example']), content(6));
  assert.ok(!first.signals.some((s) => s.name === 'spam-history'), 'one spam verdict is the scorer\'s business');
  w.clock.advance(MIN);
  const second = await assessSender(w.deps, tenant, makeMessage(w, id, 'carol@t1.example', ['b@x.example']), content(6));
  assert.ok(second.signals.some((s) => s.name === 'spam-history' && /2 spam/.test(s.detail ?? '')));
});

test('repeated spam verdicts lock the sender by the fourth, naming the messages', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'dave@t1.example');
  const ids: string[] = [];
  let a;
  for (let i = 0; i < 4; i++) {
    const m = makeMessage(w, id, 'dave@t1.example', [`v${i}@x.example`]);
    ids.push(m.id);
    a = await assessSender(w.deps, tenant, m, content(7));
    w.clock.advance(5 * MIN);
  }
  assert.ok(a!.locked, `risk ${a!.risk}`);
  assert.ok(a!.signals.some((s) => s.name === 'sender-locked'));
  assert.deepEqual(a!.locked!.evidence?.messageIds?.sort(), ids.sort());
  assert.match(a!.locked!.reason, /content-spam x4/);
});

test('recipients refused as unknown (5.1.x) are told apart from other refusals', () => {
  assert.equal(isInvalidRecipient({ rcpt: 'a', code: 550, reply: '550 5.1.1 <a@x>: user unknown' }), true);
  assert.equal(isInvalidRecipient({ rcpt: 'a', code: 550, reply: '550 5.7.1 message refused as spam' }), false);
  assert.equal(isInvalidRecipient({ rcpt: 'a', code: 450, reply: '450 4.1.1 try later' }), false);
  // read as the delivery bounce rules read them: an unknown domain counts, a full mailbox (5.2.2, retried) does not
  assert.equal(isInvalidRecipient({ rcpt: 'a', code: 550, reply: '550 5.1.2 domain not found' }), true);
  assert.equal(isInvalidRecipient({ rcpt: 'a', code: 550, reply: '550 No such user here' }), true);
  assert.equal(isInvalidRecipient({ rcpt: 'a', code: 552, reply: '552 5.2.2 mailbox full' }), false);
  assert.equal(isInvalidRecipient({ rcpt: 'a', code: 550, reply: '550 5.1.1 greylisted, try again later' }), false);
});

test('a delivery where a third of a large list does not exist locks the sender (a bought list)', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'erin@t1.example');
  const list = rcpts(30, 'list');
  const m = makeMessage(w, id, 'erin@t1.example', list);
  await recordDeliveryOutcome(w.deps, m, list.map((r, i) => (i % 3 === 0 ? { rcpt: r, code: 550, reply: '550 5.1.1 no such user' } : { rcpt: r, code: 250, reply: '250 ok' })));
  await assert.rejects(checkSenderAllowed(w.deps, { tenant, sender: 'erin@t1.example', clientIp: '192.0.2.1', identity: id }), /locked.*refused a large share of recipients as unknown/);
});

test('a few unknown recipients on a big honest send do not count', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'fay@t1.example');
  const list = rcpts(200, 'big');
  await recordDeliveryOutcome(w.deps, makeMessage(w, id, 'fay@t1.example', list), list.map((r, i) => ({ rcpt: r, code: i < 6 ? 550 : 250, reply: i < 6 ? '550 5.1.1 unknown' : '250 ok' })));
  await checkSenderAllowed(w.deps, { tenant, sender: 'fay@t1.example', clientIp: '192.0.2.1', identity: id });
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'fay@t1.example', ['z@x.example']), content(0));
  assert.ok(!a.signals.some((s) => s.name === 'invalid-recipients'));
});

test('complaints count from three above 0.3 % of delivered recipients over two days; five above 1 % lock', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'gil@t1.example');
  const m = await deliveredToAll(w, id, 'gil@t1.example', rcpts(400, 'c'));
  w.clock.advance(DAY); // the next day: yesterday's deliveries still count
  const complain = (i: number) => recordFeedback(w.deps, { tenantId: 't1', sender: 'gil@t1.example', messageId: m.id, type: 'complaint', recipients: [`c${i}@x`] });
  const evidence = async () => {
    const rec = await w.deps.senders.get('t1', 'gil@t1.example');
    return rec ? explainSender(rec, tenant.settings, w.clock.now()).evidence.map((e) => e.signal) : [];
  };
  await complain(0); await complain(1);
  assert.deepEqual(await evidence(), [], 'two complaints are noise');
  await complain(2);
  assert.deepEqual(await evidence(), ['complaints'], '3 of 400 = 0.75 %');
  await complain(3);
  await checkSenderAllowed(w.deps, { tenant, sender: 'gil@t1.example', clientIp: '192.0.2.1', identity: id });
  await complain(4);
  await assert.rejects(checkSenderAllowed(w.deps, { tenant, sender: 'gil@t1.example', clientIp: '192.0.2.1', identity: id }), /recipients complained/);
});

test('SES hard bounces count like recipients refused as unknown', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'hal@t1.example');
  const list = rcpts(20, 'ses');
  const m = await deliveredToAll(w, id, 'hal@t1.example', list, '250 queued by SES');
  await recordFeedback(w.deps, { tenantId: 't1', sender: 'hal@t1.example', messageId: m.id, type: 'bounce', recipients: list.slice(0, 6) });
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'hal@t1.example', ['ok@x.example']), content(0));
  assert.ok(a.signals.some((s) => s.name === 'invalid-recipients' && /6 of 20/.test(s.detail ?? '')), `${a.signals.map((s) => `${s.name}: ${s.detail}`)}`);
});

test('a score job that runs again for a message already assessed does not count that message twice', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'ann@t1.example');
  const m = makeMessage(w, id, 'ann@t1.example', rcpts(1));
  await assessSender(w.deps, tenant, m, content(7));
  // The job again (it crashed after assessing, before the verdict was saved): same message, same content.
  await assessSender(w.deps, tenant, m, content(7));
  const rec = await w.deps.senders.get('t1', 'ann@t1.example');
  const p = rec!.reputation!['profile'] as { messages: number; history: string; risk: { signal: string; messageId?: string }[] };
  assert.equal(p.messages, 1);
  assert.equal(p.history, 's', 'one spam mark, so no spam-history from itself');
  assert.equal(p.risk.filter((e) => e.messageId === m.id && e.signal === 'content-spam').length, 1);
  // A second, different spam message still counts.
  await assessSender(w.deps, tenant, makeMessage(w, id, 'ann@t1.example', rcpts(1, 's')), content(7));
  const p2 = (await w.deps.senders.get('t1', 'ann@t1.example'))!.reputation!['profile'] as { messages: number; history: string };
  assert.deepEqual([p2.messages, p2.history], [2, 'ss']);
});
