import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessSender, checkSenderAllowed, makePasswordProbe, networkOf, recordLogin, textContainsPassword } from '../../core/reputation/index.js';
import { addMailboxUser, content, makeMessage, makeWorld, DAY, MIN } from './helpers.js';

async function establish(w: ReturnType<typeof makeWorld>, address: string, ip = '192.0.2.10') {
  const tenant = w.tenants.get('t1')!;
  const id = addMailboxUser(w, 't1', address);
  for (let d = 0; d < 4; d++) {
    for (let i = 0; i < 6; i++) {
      await recordLogin(w.deps, { tenantId: 't1', username: address, clientIp: ip, success: true, tlsClient: 'thunderbird' });
      await assessSender(w.deps, tenant, makeMessage(w, id, address, [`friend${i}@x.example`], { headerFrom: `"Alice Example" <${address}>` }), content(0));
      w.clock.advance(20 * MIN);
    }
    w.clock.advance(DAY - 120 * MIN);
  }
  return { tenant, id };
}

const names = (a: { signals: { name: string }[] }) => a.signals.map((s) => s.name);

test('failed logins from many addresses followed by a success taint the next messages (credential stuffing)', async () => {
  const w = makeWorld();
  const { tenant, id } = await establish(w, 'alice@t1.example');
  for (let i = 0; i < 8; i++) await recordLogin(w.deps, { tenantId: 't1', username: 'alice@t1.example', clientIp: `198.18.${i}.7`, success: false });
  await recordLogin(w.deps, { tenantId: 't1', username: 'alice@t1.example', clientIp: '198.18.9.7', success: true });
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'alice@t1.example', ['friend1@x.example']), content(0));
  const s = a.signals.find((x) => x.name === 'suspicious-login');
  assert.ok(s, `${names(a)}`);
  assert.match(s.detail!, /failed-burst-then-success/);
  assert.match(s.detail!, /new-network/);
});

test('an owner mistyping the password at the usual address is not suspicious', async () => {
  const w = makeWorld();
  const { tenant, id } = await establish(w, 'bob@t1.example');
  for (let i = 0; i < 6; i++) await recordLogin(w.deps, { tenantId: 't1', username: 'bob@t1.example', clientIp: '192.0.2.10', success: false });
  await recordLogin(w.deps, { tenantId: 't1', username: 'bob@t1.example', clientIp: '192.0.2.10', success: true, tlsClient: 'thunderbird' });
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'bob@t1.example', ['friend1@x.example'], { headerFrom: '"Alice Example" <bob@t1.example>' }), content(0));
  assert.deepEqual(names(a), []);
});

test('one account used from four addresses within an hour is suspicious', async () => {
  const w = makeWorld();
  const { tenant, id } = await establish(w, 'cat@t1.example');
  for (const ip of ['192.0.2.10', '192.0.2.11', '192.0.2.12', '192.0.2.13']) await recordLogin(w.deps, { tenantId: 't1', username: 'cat@t1.example', clientIp: ip, success: true, tlsClient: 'thunderbird' });
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'cat@t1.example', ['friend1@x.example']), content(0));
  assert.match(a.signals.find((x) => x.name === 'suspicious-login')?.detail ?? '', /many-ips/);
});

test('a TLS client the account never presented is noted with the login', async () => {
  const w = makeWorld();
  await establish(w, 'dan@t1.example');
  await recordLogin(w.deps, { tenantId: 't1', username: 'dan@t1.example', clientIp: '198.51.100.9', success: true, tlsClient: 'python-smtplib' });
  const rec = await w.deps.senders.get('t1', 'dan@t1.example');
  const last = (rec!.reputation!['profile'] as { lastLogin: { reasons: string[] } }).lastLogin;
  assert.deepEqual(last.reasons.sort(), ['new-network', 'tls-client-changed']);
});

test('networks are /16 for IPv4 (also when IPv4-mapped) and /48 for IPv6', () => {
  assert.equal(networkOf('203.0.113.9'), '203.0.0.0/16');
  assert.equal(networkOf('::ffff:203.0.113.9'), '203.0.0.0/16');
  assert.equal(networkOf('2001:db8:abcd:12::1'), '2001:db8:abcd::/48');
});

test('a From header on a foreign domain, a new display name and a new Reply-To domain are identity signals', async () => {
  const w = makeWorld();
  const { tenant, id } = await establish(w, 'eve@t1.example');
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'eve@t1.example', ['friend1@x.example'], { headerFrom: '"PayPal Security" <service@paypa1.example>' }),
    content(0, { replyTo: 'help@collector.example' }));
  assert.deepEqual(names(a).sort(), ['from-mismatch', 'new-display-name', 'new-reply-to-domain']);
});

test('a message carrying the account\'s own SMTP password locks it at once (leaked-credential probe)', async () => {
  const w = makeWorld();
  const { tenant, id } = await establish(w, 'fred@t1.example');
  const probe = makePasswordProbe('S3cret-Horse-Battery');
  const body = 'smtp: mail.t1.example:587 login fred@t1.example pass:S3cret-Horse-Battery works';
  assert.equal(textContainsPassword(body, probe), true);
  assert.equal(textContainsPassword('nothing to see here S3cret-Horse-Batterz', probe), false);
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'fred@t1.example', ['drop@evil.example']), { ...content(0), signals: [{ name: 'password-in-message', weight: 0 }] });
  assert.ok(a.locked);
  assert.equal(a.locked.requiresPasswordRotation, true);
  await assert.rejects(checkSenderAllowed(w.deps, { tenant, sender: 'fred@t1.example', clientIp: '192.0.2.10', identity: id }), /leaked-credential probe/);
});

test('one IPv6 host (one /64) logging in from several of its addresses, or one IPv4 client seen also IPv4-mapped, is one address', async () => {
  const w = makeWorld();
  const { tenant, id } = await establish(w, 'eve@t1.example', '2001:db8:1:2::10');
  // Privacy addresses: a phone's apps each use another address of its /64.
  for (const ip of ['2001:db8:1:2::a', '2001:db8:1:2:aaaa::b', '2001:db8:1:2::c', '2001:db8:1:2:ffff::d']) {
    await recordLogin(w.deps, { tenantId: 't1', username: 'eve@t1.example', clientIp: ip, success: true, tlsClient: 'thunderbird' });
  }
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'eve@t1.example', ['friend1@x.example'], { headerFrom: '"Alice Example" <eve@t1.example>' }), content(0));
  assert.deepEqual(names(a), []);

  const w2 = makeWorld();
  const b = await establish(w2, 'fay@t1.example');
  for (const ip of ['192.0.2.10', '::ffff:192.0.2.10', '192.0.2.11', '::ffff:c000:20b']) {
    await recordLogin(w2.deps, { tenantId: 't1', username: 'fay@t1.example', clientIp: ip, success: true, tlsClient: 'thunderbird' });
  }
  const a2 = await assessSender(w2.deps, b.tenant, makeMessage(w2, b.id, 'fay@t1.example', ['friend1@x.example'], { headerFrom: '"Alice Example" <fay@t1.example>' }), content(0));
  assert.deepEqual(names(a2), []);
});

test('failed logins from many addresses of one IPv6 /64 are one address: the owner\'s own retries at home are no credential stuffing', async () => {
  const w = makeWorld();
  const { tenant, id } = await establish(w, 'gus@t1.example', '2001:db8:1:2::10');
  for (let i = 0; i < 8; i++) await recordLogin(w.deps, { tenantId: 't1', username: 'gus@t1.example', clientIp: `2001:db8:1:2::${i + 20}`, success: false });
  await recordLogin(w.deps, { tenantId: 't1', username: 'gus@t1.example', clientIp: '2001:db8:1:2::99', success: true, tlsClient: 'thunderbird' });
  const a = await assessSender(w.deps, tenant, makeMessage(w, id, 'gus@t1.example', ['friend1@x.example'], { headerFrom: '"Alice Example" <gus@t1.example>' }), content(0));
  assert.deepEqual(names(a), []);
  // The same from eight different /64s is the burst it was.
  const w2 = makeWorld();
  const b = await establish(w2, 'hal@t1.example', '2001:db8:1:2::10');
  for (let i = 0; i < 8; i++) await recordLogin(w2.deps, { tenantId: 't1', username: 'hal@t1.example', clientIp: `2001:db8:9:${i}::7`, success: false });
  await recordLogin(w2.deps, { tenantId: 't1', username: 'hal@t1.example', clientIp: '2001:db8:9:99::7', success: true });
  const a2 = await assessSender(w2.deps, b.tenant, makeMessage(w2, b.id, 'hal@t1.example', ['friend1@x.example']), content(0));
  assert.match(a2.signals.find((x) => x.name === 'suspicious-login')?.detail ?? '', /failed-burst-then-success/);
});
