import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessSender, checkSenderAllowed, lockSender } from '../../core/reputation/index.js';
import { decideVerdict } from '../../core/verdict.js';
import { addMailboxUser, content, makeMessage, makeWorld, rcpts, DAY, MIN } from './helpers.js';

test('behaviour weights add to a borderline content score and hold the message; the same text from a quiet sender passes', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'ann@t1.example');
  const text = content(3);
  const quiet = await assessSender(w.deps, tenant, makeMessage(w, id, 'ann@t1.example', ['a@x.example']), text);
  assert.equal(decideVerdict([...text.signals, ...quiet.signals], tenant.settings, w.clock.now()).verdict, 'deliver');
  const wide = await assessSender(w.deps, tenant, makeMessage(w, id, 'ann@t1.example', rcpts(14, 'w')), content(3));
  const v = decideVerdict([...text.signals, ...wide.signals], tenant.settings, w.clock.now());
  assert.equal(v.verdict, 'quarantine');
  assert.ok(v.signals.some((s) => s.name === 'recipients-per-message-high'));
});

test('a locked sender\'s next message is held with the sender-locked signal whatever its content', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'bo@t1.example');
  await lockSender(w.deps, 't1', 'bo@t1.example', { reason: 'test', lockedAt: w.clock.now().toISOString(), by: 'manual' });
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'bo@t1.example', ['a@x.example']), content(0));
  assert.ok(a.locked);
  assert.equal(decideVerdict(a.signals, tenant.settings, w.clock.now()).verdict, 'quarantine');
});

test('behind an IP user the lock is per envelope sender: the shared server\'s other senders keep sending', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = { kind: 'ip-user' as const, tenantId: 't1', ipUserId: 'ipu1', cidr: '203.0.113.0/24' };
  await lockSender(w.deps, 't1', 'hacked@site1.example', { reason: 'contact form spam', lockedAt: w.clock.now().toISOString(), by: 'manual' });
  await assert.rejects(checkSenderAllowed(w.deps, { tenant, sender: 'hacked@site1.example', clientIp: '203.0.113.5', identity: id }), /locked/);
  await checkSenderAllowed(w.deps, { tenant, sender: 'shop@site2.example', clientIp: '203.0.113.5', identity: id });
});

test('a burst right after a password change carries recent-password-change; the same burst a week later does not', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'cy@t1.example');
  const user = w.users.get('cy@t1.example')!;
  w.users.set('cy@t1.example', { ...user, passwordVersion: 2, passwordChangedAt: new Date(w.clock.t - 10 * MIN).toISOString() });
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'cy@t1.example', rcpts(14, 'p')), content(0));
  assert.ok(a.signals.some((s) => s.name === 'recent-password-change'), `${a.signals.map((s) => s.name)}`);
  w.clock.advance(7 * DAY);
  const b = await assessSender(w.deps, tenant, makeMessage(w, id, 'cy@t1.example', rcpts(14, 'q')), content(0));
  assert.ok(!b.signals.some((s) => s.name === 'recent-password-change'));
});

test('shape alone never locks: a sustained honest-looking flood is held and throttled but not locked', async () => {
  const w = makeWorld();
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', 'dee@t1.example');
  let a;
  for (let i = 0; i < 40; i++) {
    a = await assessSender(w.deps, tenant, makeMessage(w, id, 'dee@t1.example', rcpts(20, `f${i}`)), content(0, { bodyFingerprint: 'invite' }));
    w.clock.advance(MIN);
  }
  assert.equal(a!.locked, undefined);
  assert.ok(a!.throttledUntil);
  assert.ok((a!.risk ?? 0) >= 5, `risk ${a!.risk}: volume and spread evidence, each counted once however long it lasts`);
});
