import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessSender, checkSenderAllowed } from '../../core/reputation/index.js';
import { addMailboxUser, content, makeMessage, makeTenant, makeWorld, MIN } from './helpers.js';

test('the same body from three senders of two tenants within the hour is a campaign: the third is marked, the first two throttled and their tenants told', async () => {
  const w = makeWorld([makeTenant('t1'), makeTenant('t2')]);
  const a = addMailboxUser(w, 't1', 'a@t1.example'), b = addMailboxUser(w, 't1', 'b@t1.example'), c = addMailboxUser(w, 't2', 'c@t2.example');
  const spam = () => content(1, { bodyFingerprint: 'campaign-fp' });
  const r1 = await assessSender(w.deps, w.tenants.get('t1')!, makeMessage(w, a, 'a@t1.example', ['x1@v.example']), spam());
  w.clock.advance(5 * MIN);
  const r2 = await assessSender(w.deps, w.tenants.get('t1')!, makeMessage(w, b, 'b@t1.example', ['x2@v.example']), spam());
  assert.ok(![...r1.signals, ...r2.signals].some((s) => s.name === 'campaign'), 'two senders are not yet a campaign');
  w.clock.advance(5 * MIN);
  const r3 = await assessSender(w.deps, w.tenants.get('t2')!, makeMessage(w, c, 'c@t2.example', ['x3@v.example']), spam());
  const sig = r3.signals.find((s) => s.name === 'campaign');
  assert.ok(sig);
  assert.match(sig.detail!, /3 senders in 2 tenant\(s\)/);
  for (const sender of ['a@t1.example', 'b@t1.example']) {
    await assert.rejects(checkSenderAllowed(w.deps, { tenant: w.tenants.get('t1')!, sender, clientIp: '192.0.2.1', identity: a }), /throttled.*campaign/);
  }
  assert.deepEqual(w.events.filter((e) => e.type === 'sender.throttled').map((e) => e.sender).sort(), ['a@t1.example', 'b@t1.example']);
});

test('the same URL set under different bodies is a campaign too, but one shared link is not', async () => {
  const w = makeWorld();
  const t = w.tenants.get('t1')!;
  let last;
  for (let i = 0; i < 3; i++) {
    const id = addMailboxUser(w, 't1', `u${i}@t1.example`);
    last = await assessSender(w.deps, t, makeMessage(w, id, `u${i}@t1.example`, [`x${i}@v.example`]), content(0, { urls: ['https://cdn.example/a.png', 'https://offer.example/x'] }));
  }
  assert.ok(last!.signals.some((s) => s.name === 'campaign'));
  const w2 = makeWorld();
  for (let i = 0; i < 3; i++) {
    const id = addMailboxUser(w2, 't1', `u${i}@t1.example`);
    last = await assessSender(w2.deps, w2.tenants.get('t1')!, makeMessage(w2, id, `u${i}@t1.example`, [`x${i}@v.example`]), content(0, { urls: ['https://www.youtube.example/watch'] }));
  }
  assert.ok(!last!.signals.some((s) => s.name === 'campaign'));
});

test('campaign members are forgotten after the window', async () => {
  const w = makeWorld();
  const t = w.tenants.get('t1')!;
  let last;
  for (let i = 0; i < 3; i++) {
    const id = addMailboxUser(w, 't1', `u${i}@t1.example`);
    last = await assessSender(w.deps, t, makeMessage(w, id, `u${i}@t1.example`, [`x${i}@v.example`]), content(0, { bodyFingerprint: 'slow' }));
    w.clock.advance(40 * MIN);
  }
  assert.ok(!last!.signals.some((s) => s.name === 'campaign'));
});

test('without a campaign index the campaign is still found from the store\'s counters', async () => {
  const w = makeWorld();
  delete w.deps.campaigns;
  const t = w.tenants.get('t1')!;
  const got: boolean[] = [];
  for (let i = 0; i < 4; i++) {
    const id = addMailboxUser(w, 't1', `u${i}@t1.example`);
    const a = await assessSender(w.deps, t, makeMessage(w, id, `u${i}@t1.example`, [`x${i}@v.example`]), content(0, { bodyFingerprint: 'shared' }));
    got.push(a.signals.some((s) => s.name === 'campaign' && /senders this hour/.test(s.detail ?? '')));
  }
  assert.deepEqual(got, [false, false, true, true]);
});
